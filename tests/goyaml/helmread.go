// helmread reads YAML documents the way Helm reads values files: with go-yaml v2 (gopkg.in/yaml.v2,
// which sigs.k8s.io/yaml wraps for Helm), decoding each document into interface{}.
//
// Input on stdin: YAML texts separated by a NUL byte. Output: one JSON line per text, either
// {"docs": [...]} or {"error": "..."}. Every scalar is typed as go-yaml resolved it:
// {"str": "x"}, {"int": "12"}, {"float": "8.765e+104"}, {"bool": "true"}, {"null": ""};
// a mapping is {"map": [[key, value], ...]} with its pairs sorted by key; a list is {"seq": [...]}.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"

	yaml "gopkg.in/yaml.v2"
)

func typed(v interface{}) interface{} {
	switch x := v.(type) {
	case nil:
		return map[string]string{"null": ""}
	case string:
		return map[string]string{"str": x}
	case bool:
		return map[string]string{"bool": strconv.FormatBool(x)}
	case int:
		return map[string]string{"int": strconv.Itoa(x)}
	case int64:
		return map[string]string{"int": strconv.FormatInt(x, 10)}
	case uint64:
		return map[string]string{"int": strconv.FormatUint(x, 10)}
	case float64:
		return map[string]string{"float": strconv.FormatFloat(x, 'g', -1, 64)}
	case []interface{}:
		items := make([]interface{}, len(x))
		for i, item := range x {
			items[i] = typed(item)
		}
		return map[string]interface{}{"seq": items}
	case map[interface{}]interface{}:
		pairs := make([][2]interface{}, 0, len(x))
		for k, item := range x {
			pairs = append(pairs, [2]interface{}{typed(k), typed(item)})
		}
		sort.Slice(pairs, func(i, j int) bool {
			a, _ := json.Marshal(pairs[i][0])
			b, _ := json.Marshal(pairs[j][0])
			return string(a) < string(b)
		})
		return map[string]interface{}{"map": pairs}
	default:
		return map[string]string{"other": fmt.Sprintf("%T %v", x, x)}
	}
}

func read(text []byte) (result map[string]interface{}) {
	defer func() {
		if r := recover(); r != nil {
			result = map[string]interface{}{"error": fmt.Sprint("panic: ", r)}
		}
	}()
	decoder := yaml.NewDecoder(bytes.NewReader(text))
	docs := []interface{}{}
	for {
		var doc interface{}
		err := decoder.Decode(&doc)
		if err == io.EOF {
			break
		}
		if err != nil {
			return map[string]interface{}{"error": err.Error()}
		}
		docs = append(docs, typed(doc))
	}
	return map[string]interface{}{"docs": docs}
}

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		text, err := in.ReadBytes(0)
		if len(text) > 0 && text[len(text)-1] == 0 {
			text = text[:len(text)-1]
		}
		if len(text) > 0 || err == nil {
			line, _ := json.Marshal(read(text))
			out.Write(line)
			out.WriteByte('\n')
			out.Flush()
		}
		if err != nil {
			return
		}
	}
}
