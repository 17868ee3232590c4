"""The Helm values product: byte-exact YAML edits (`edit`, over `yamldoc`, `yamlpath`, `scalars`
and `images`), the version for `${version}` (`version`), and bump-values as a plan of steps
(`plan`) delivered by a push with retries or a pull request (`push`).

`relbot.values.edit_values` is the documented entry point for editing values text."""

from relbot.values.edit import Edit, EditResult, SetImage, SetValue, ValueChange, edit_values

__all__ = ["Edit", "EditResult", "SetImage", "SetValue", "ValueChange", "edit_values"]
