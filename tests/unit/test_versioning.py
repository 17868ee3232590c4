"""Tag formats, branch resolution, release candidates and the next-version tables."""

from __future__ import annotations

import pytest
import semver
from hypothesis import given
from hypothesis import strategies as st

from relbot.config.options import DEFAULT_BRANCHES
from relbot.errors import ConfigError, VersionRuleError
from relbot.model import Branch, BranchSpec, BranchType, ReleaseType, Tag, ZeroPolicy
from relbot.release.versioning import (
    effective_bump,
    next_version,
    precedence,
    release_candidates,
    resolve_branch,
)
from relbot.tags import TagFormat

RT = ReleaseType  # the release type, short for the tables below

MAJOR, MINOR, PATCH = RT.MAJOR, RT.MINOR, RT.PATCH
OFF, ZMINOR, SHIFT = ZeroPolicy.OFF, ZeroPolicy.MINOR, ZeroPolicy.SHIFT
HOTFIX_SPECS = (*DEFAULT_BRANCHES, BranchSpec("hotfix/*", prerelease="hotfix"))


def branch(name: str, specs: tuple[BranchSpec, ...] = HOTFIX_SPECS) -> Branch:
    resolved = resolve_branch(name, specs)
    assert resolved is not None, name
    return resolved


# --- tag formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "version", "tag"),
    [
        pytest.param("v${version}", "1.2.3", "v1.2.3", id="v-prefix"),
        pytest.param("server-v${version}", "1.2.3-beta.1", "server-v1.2.3-beta.1", id="monorepo-prefix"),
        pytest.param("${version}", "0.1.0", "0.1.0", id="bare"),
        pytest.param("${version}-stable", "2.0.0", "2.0.0-stable", id="suffix"),
        pytest.param("pkg@${version}", "1.0.0", "pkg@1.0.0", id="at-sign"),
        pytest.param("release/${version}/final", "3.1.4", "release/3.1.4/final", id="prefix-and-suffix"),
    ],
)

def test_tag_format_render_and_parse(template: str, version: str, tag: str) -> None:
    fmt = TagFormat(template)
    assert fmt.render(version) == tag
    assert fmt.parse(tag) == version


@pytest.mark.parametrize(
    ("template", "name", "version"),
    [
        pytest.param("v${version}", "v1.2.3", "1.2.3", id="plain"),
        pytest.param("v${version}", "v1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5", id="prerelease-build"),
        pytest.param("v${version}", "1.2.3", None, id="missing-prefix"),
        pytest.param("v${version}", "v1.2", None, id="not-semver"),
        pytest.param("v${version}", "v01.2.3", None, id="leading-zero"),
        pytest.param("v${version}", "vnext", None, id="word"),
        pytest.param("v${version}", "server-v1.2.3", None, id="other-prefix"),
        pytest.param("${version}", "v1.2.3", None, id="bare-rejects-v"),
        pytest.param("server-v${version}", "client-v1.2.3", None, id="other-package"),
        pytest.param("${version}-stable", "1.2.3-beta.1-stable", "1.2.3-beta.1", id="suffix-prerelease"),
        pytest.param("${version}-stable", "1.2.3", None, id="suffix-missing"),
    ],
)
def test_tag_format_parse(template: str, name: str, version: str | None) -> None:
    assert TagFormat(template).parse(name) == version


@pytest.mark.parametrize(
    ("template", "glob"),
    [
        pytest.param("v${version}", "refs/tags/v*", id="prefix"),
        pytest.param("${version}-stable", "refs/tags/*-stable", id="suffix"),
    ],
)
def test_tag_format_glob(template: str, glob: str) -> None:
    assert TagFormat(template).glob() == glob


@pytest.mark.parametrize(
    ("template", "words"),
    [
        pytest.param("v", "exactly once", id="no-placeholder"),
        pytest.param("", "exactly once", id="empty"),
        pytest.param("${version}-${version}", "exactly once", id="two-placeholders"),
        pytest.param("v{version}", "exactly once", id="no-dollar"),
        pytest.param("${name}-v${version}", "other than", id="other-placeholder"),
        pytest.param("v${version}${suffix}", "other than", id="other-placeholder-suffix"),
        pytest.param("v ${version}", "other than", id="space"),
        pytest.param("v${version}:x", "other than", id="colon"),
        pytest.param("v*${version}", "other than", id="star"),
    ],
)
def test_tag_format_invalid(template: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as info:
        TagFormat(template)
    assert repr(template) in info.value.message
    assert info.value.hint


# --- branches -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "btype", "prerelease_id", "range_text"),
    [
        pytest.param("main", BranchType.RELEASE, None, None, id="main"),
        pytest.param("master", BranchType.RELEASE, None, None, id="master"),
        pytest.param("next", BranchType.RELEASE, None, None, id="next"),
        pytest.param("next-major", BranchType.RELEASE, None, None, id="next-major"),
        pytest.param("beta", BranchType.PRERELEASE, "beta", None, id="beta"),
        pytest.param("alpha", BranchType.PRERELEASE, "alpha", None, id="alpha"),
        pytest.param("1.x", BranchType.MAINTENANCE, None, ">=1.0.0 <2.0.0", id="1.x"),
        pytest.param("1.2.x", BranchType.MAINTENANCE, None, ">=1.2.0 <1.3.0", id="1.2.x"),
        pytest.param("1.x.x", BranchType.MAINTENANCE, None, ">=1.0.0 <2.0.0", id="1.x.x"),
        pytest.param("10.x", BranchType.MAINTENANCE, None, ">=10.0.0 <11.0.0", id="10.x"),
        pytest.param("hotfix/login", BranchType.PRERELEASE, "hotfix", None, id="glob-with-prerelease-id"),
    ],
)
def test_resolve_default_branches(
    name: str, btype: BranchType, prerelease_id: str | None, range_text: str | None
) -> None:
    resolved = branch(name)
    assert resolved.name == name
    assert resolved.type is btype
    assert resolved.prerelease_id == prerelease_id
    assert resolved.range_text == range_text


@pytest.mark.parametrize(
    "name", ["feature/x", "develop", "1.2", "1.2.3", "x", "mainline", "beta/1", "hotfix", "v1.x"],
)
def test_resolve_non_release_branches(name: str) -> None:
    assert resolve_branch(name, HOTFIX_SPECS) is None


@pytest.mark.parametrize(
    ("specs", "name", "btype", "prerelease_id", "range_text"),
    [
        pytest.param((BranchSpec("release/*"),), "release/a", BranchType.RELEASE, None, None,
                     id="release-glob"),
        pytest.param((BranchSpec("rc", prerelease="rc"),), "rc", BranchType.PRERELEASE, "rc", None,
                     id="named-id"),
        pytest.param((BranchSpec("legacy", range="2.x"),), "legacy", BranchType.MAINTENANCE, None,
                     ">=2.0.0 <3.0.0", id="range-option"),
        pytest.param((BranchSpec("beta", prerelease=False),), "beta", BranchType.RELEASE, None, None,
                     id="prerelease-false"),
        pytest.param((BranchSpec("pre/*", prerelease="pre.x"),), "pre/a", BranchType.PRERELEASE, "pre.x",
                     None,
                     id="dotted-id"),
        pytest.param((BranchSpec("main"), BranchSpec("*")), "main", BranchType.RELEASE, None, None,
                     id="first-entry-wins"),
    ],
)
def test_resolve_configured_branches(
    specs: tuple[BranchSpec, ...], name: str, btype: BranchType, prerelease_id: str | None,
    range_text: str | None,
) -> None:
    resolved = branch(name, specs)
    assert (resolved.type, resolved.prerelease_id, resolved.range_text) == (btype, prerelease_id, range_text)


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        pytest.param(BranchSpec("hotfix/*", prerelease=True), "hotfix/login", id="glob-name-as-id"),
        pytest.param(BranchSpec("beta", prerelease="be ta"), "beta", id="space"),
        pytest.param(BranchSpec("beta", prerelease="beta..1"), "beta", id="empty-part"),
        pytest.param(BranchSpec("beta", prerelease="bêta"), "beta", id="non-ascii"),
    ],
)
def test_invalid_prerelease_id(spec: BranchSpec, name: str) -> None:
    with pytest.raises(ConfigError, match="prerelease id") as info:
        resolve_branch(name, (spec,))
    assert repr(name) in info.value.message


# --- release candidates -------------------------------------------------------------------------

TAGS = tuple(
    Tag(f"v{v}", v, f"{i:040x}")
    for i, v in enumerate([
        "1.0.0", "1.1.0-beta.1", "1.1.0-alpha.1", "1.2.0", "1.2.1", "2.0.0", "2.1.0-beta.1",
        "1.2.2-hotfix.1", "1.1.0-beta.10",
    ])
)


@pytest.mark.parametrize(
    ("name", "versions"),
    [
        pytest.param("main", ["2.0.0", "1.2.1", "1.2.0", "1.0.0"], id="release-skips-prereleases"),
        pytest.param("beta", ["2.1.0-beta.1", "2.0.0", "1.2.1", "1.2.0", "1.1.0-beta.10", "1.1.0-beta.1",
                              "1.0.0"], id="beta-keeps-own-id"),
        pytest.param("alpha", ["2.0.0", "1.2.1", "1.2.0", "1.1.0-alpha.1", "1.0.0"], id="alpha"),
        pytest.param("1.x", ["1.2.1", "1.2.0", "1.0.0"], id="maintenance-major"),
        pytest.param("1.2.x", ["1.2.1", "1.2.0"], id="maintenance-minor"),
        pytest.param("2.x", ["2.0.0"], id="maintenance-2"),
        pytest.param("3.x", [], id="maintenance-empty"),
        pytest.param("hotfix/x", ["2.0.0", "1.2.2-hotfix.1", "1.2.1", "1.2.0", "1.0.0"], id="hotfix"),
    ],
)
def test_release_candidates(name: str, versions: list[str]) -> None:
    assert [t.version for t in release_candidates(TAGS, branch(name))] == versions


# --- next version -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "bump", "policy", "expected"),
    [
        pytest.param(None, PATCH, OFF, "1.0.0", id="first-off-patch"),
        pytest.param(None, MAJOR, OFF, "1.0.0", id="first-off-major"),
        pytest.param(None, MINOR, ZMINOR, "0.1.0", id="first-minor-policy"),
        pytest.param(None, MAJOR, ZMINOR, "0.1.0", id="first-minor-policy-breaking"),
        pytest.param(None, PATCH, SHIFT, "0.1.0", id="first-shift-patch"),
        pytest.param(None, MAJOR, SHIFT, "0.1.0", id="first-shift-breaking"),
        pytest.param("1.2.3", PATCH, OFF, "1.2.4", id="patch"),
        pytest.param("1.2.3", MINOR, OFF, "1.3.0", id="minor"),
        pytest.param("1.2.3", MAJOR, OFF, "2.0.0", id="major"),
        pytest.param("1.2.3+build.1", PATCH, OFF, "1.2.4", id="build-metadata-dropped"),
        pytest.param("0.3.1", MAJOR, OFF, "1.0.0", id="zero-off-breaking"),
        pytest.param("0.3.1", MINOR, OFF, "0.4.0", id="zero-off-feat"),
        pytest.param("0.3.1", PATCH, OFF, "0.3.2", id="zero-off-fix"),
        pytest.param("0.3.1", MAJOR, ZMINOR, "0.4.0", id="zero-minor-breaking"),
        pytest.param("0.3.1", MINOR, ZMINOR, "0.4.0", id="zero-minor-feat"),
        pytest.param("0.3.1", PATCH, ZMINOR, "0.3.2", id="zero-minor-fix"),
        pytest.param("0.3.1", MAJOR, SHIFT, "0.4.0", id="zero-shift-breaking"),
        pytest.param("0.3.1", MINOR, SHIFT, "0.3.2", id="zero-shift-feat"),
        pytest.param("0.3.1", PATCH, SHIFT, "0.3.2", id="zero-shift-fix"),
        pytest.param("1.2.3", MAJOR, ZMINOR, "2.0.0", id="minor-policy-after-1.0"),
        pytest.param("1.2.3", MINOR, SHIFT, "1.3.0", id="shift-policy-after-1.0"),
    ],
)
def test_next_version_release_branch(last: str | None, bump: ReleaseType, policy: ZeroPolicy,
                                     expected: str) -> None:
    assert next_version(last, bump, branch("main"), policy=policy).version == expected


@pytest.mark.parametrize(
    ("last", "bump", "policy", "rule"),
    [
        pytest.param(None, MINOR, OFF, "first release 1.0.0", id="first"),
        pytest.param("1.2.3", MINOR, OFF, "minor bump of 1.2.3", id="minor"),
        pytest.param("0.3.1", MAJOR, ZMINOR,
                     "minor bump of 0.3.1; 0.x policy 'minor': breaking change bumps the minor",
                     id="policy-note"),
        pytest.param("0.3.1", MINOR, SHIFT,
                     "patch bump of 0.3.1; 0.x policy 'shift': feature bumps the patch",
                     id="shift-note"),
    ],
)
def test_next_version_rule_text(last: str | None, bump: ReleaseType, policy: ZeroPolicy, rule: str) -> None:
    assert next_version(last, bump, branch("main"), policy=policy).rule == rule


@pytest.mark.parametrize(
    ("bump", "last", "policy", "expected"),
    [
        pytest.param(RT.NONE, "0.1.0", SHIFT, RT.NONE, id="none"),
        pytest.param(MAJOR, None, ZMINOR, MINOR, id="no-release-yet"),
        pytest.param(MAJOR, "1.0.0", SHIFT, MAJOR, id="past-1.0"),
        pytest.param(PATCH, "0.1.0", SHIFT, PATCH, id="shift-patch"),
        pytest.param(MINOR, "0.1.0", ZMINOR, MINOR, id="minor-feat"),
    ],
)
def test_effective_bump(bump: ReleaseType, last: str | None, policy: ZeroPolicy,
                        expected: ReleaseType) -> None:
    assert effective_bump(bump, last, policy)[0] is expected


def test_next_version_needs_a_bump() -> None:
    with pytest.raises(ValueError, match="needs a bump"):
        next_version("1.0.0", RT.NONE, branch("main"))


@pytest.mark.parametrize(
    ("name", "last", "bump", "existing", "latest", "expected"),
    [
        pytest.param("beta", None, MINOR, [], None, "1.0.0-beta.1", id="first-beta"),
        pytest.param("beta", "1.0.0", MINOR, ["1.0.0"], "1.0.0", "1.1.0-beta.1", id="beta-from-release"),
        pytest.param("beta", "1.1.0-beta.1", PATCH, ["1.0.0", "1.1.0-beta.1"], "1.0.0", "1.1.0-beta.2",
                     id="beta-counter"),
        pytest.param("beta", "1.1.0-beta.1", MINOR, ["1.0.0", "1.1.0-beta.1"], "1.0.0", "1.1.0-beta.2",
                     id="beta-same-size-change"),
        pytest.param("beta", "1.1.0-beta.1", PATCH, ["1.1.0-beta.1", "1.1.0-beta.2", "1.1.0-beta.3"], "1.0.0",
                     "1.1.0-beta.4", id="unreachable-beta-tags"),
        pytest.param("beta", "1.1.0-beta.1", PATCH, ["1.1.0-beta.1", "1.1.0-beta.3"], "1.0.0",
                     "1.1.0-beta.4", id="gap-in-counters"),
        pytest.param("beta", "1.1.0-beta.9", PATCH, ["1.1.0-beta.9", "1.1.0-beta.10"], "1.0.0",
                     "1.1.0-beta.11", id="numeric-not-lexical"),
        pytest.param("beta", "1.1.0-beta.2", MAJOR, ["1.0.0", "1.1.0-beta.1", "1.1.0-beta.2"], "1.0.0",
                     "2.0.0-beta.1", id="bigger-change-moves-base"),
        pytest.param("beta", "1.1.0-beta.2", PATCH, ["1.1.0-beta.2"], "1.0.0", "1.1.0-beta.3",
                     id="smaller-change-keeps-base"),
        pytest.param("beta", "1.1.0-beta.2", PATCH, ["1.1.0-beta.2", "1.1.0-alpha.7", "1.1.0"], "1.0.0",
                     "1.1.0-beta.3", id="other-ids-ignored"),
        pytest.param("beta", "1.0.0-beta.1", MAJOR, ["1.0.0-beta.1"], None, "1.0.0-beta.2",
                     id="first-line-no-release"),
        pytest.param("alpha", "2.0.0", MAJOR, ["2.0.0", "3.0.0-beta.4"], "2.0.0", "3.0.0-alpha.1",
                     id="alpha-ignores-beta-counter"),
        pytest.param("hotfix/login", "1.2.3", PATCH, ["1.2.3"], "1.2.3", "1.2.4-hotfix.1", id="hotfix-1"),
        pytest.param("hotfix/login", "1.2.4-hotfix.1", PATCH, ["1.2.3", "1.2.4-hotfix.1"], "1.2.3",
                     "1.2.4-hotfix.2", id="hotfix-2"),
    ],
)
def test_next_version_prerelease(
    name: str, last: str | None, bump: ReleaseType, existing: list[str], latest: str | None, expected: str
) -> None:
    result = next_version(last, bump, branch(name), existing=existing, latest_release=latest)
    assert result.version == expected
    assert f"prerelease counter {expected.rsplit('-', 1)[1]} from tags" in result.rule


@pytest.mark.parametrize(
    ("name", "last", "bump", "expected"),
    [
        pytest.param("1.2.x", "1.2.3", PATCH, "1.2.4", id="1.2.x-fix"),
        pytest.param("1.x", "1.4.0", PATCH, "1.4.1", id="1.x-fix"),
        pytest.param("1.x", "1.4.0", MINOR, "1.5.0", id="1.x-feat"),
        pytest.param("1.x", None, MINOR, "1.0.0", id="1.x-first"),
    ],
)
def test_next_version_maintenance(name: str, last: str | None, bump: ReleaseType, expected: str) -> None:
    assert next_version(last, bump, branch(name)).version == expected


@pytest.mark.parametrize(
    ("name", "last", "bump", "version", "range_text"),
    [
        pytest.param("1.2.x", "1.2.3", MINOR, "1.3.0", ">=1.2.0 <1.3.0", id="1.2.x-feat"),
        pytest.param("1.2.x", "1.2.3", MAJOR, "2.0.0", ">=1.2.0 <1.3.0", id="1.2.x-breaking"),
        pytest.param("1.x", "1.4.0", MAJOR, "2.0.0", ">=1.0.0 <2.0.0", id="1.x-breaking"),
        pytest.param("2.x", None, PATCH, "1.0.0", ">=2.0.0 <3.0.0", id="2.x-first"),
    ],
)
def test_next_version_outside_maintenance_range(
    name: str, last: str | None, bump: ReleaseType, version: str, range_text: str
) -> None:
    with pytest.raises(VersionRuleError) as info:
        next_version(last, bump, branch(name))
    message = info.value.message
    assert version in message
    assert range_text in message
    assert repr(name) in message
    assert info.value.hint


def test_maintenance_version_already_released_elsewhere() -> None:
    with pytest.raises(VersionRuleError, match=r"can only release versions >=1\.0\.0 <1\.5\.0"):
        next_version("1.4.0", MINOR, branch("1.x"), existing=["1.4.0", "1.5.0", "2.0.0"],
                     latest_release="1.4.0")


def test_maintenance_branch_says_its_range_when_the_next_version_is_tagged_elsewhere() -> None:
    """2.7.x cut at v2.7.0 while main released v2.8.0: a feat says the range, not "2.8.0 is
    already tagged, merge it" (merging main into a maintenance branch is never the fix)."""
    with pytest.raises(VersionRuleError) as info:
        next_version("2.7.0", MINOR, branch("2.7.x"), existing=["2.7.0", "2.8.0"],
                     latest_release="2.7.0")
    assert "out of range for maintenance branch '2.7.x'" in info.value.message
    assert ">=2.7.0 <2.8.0" in info.value.message
    assert "merge" not in info.value.hint
    assert next_version("2.7.0", PATCH, branch("2.7.x"), existing=["2.7.0", "2.8.0"]).version == "2.7.1"


_IDENTIFIER = st.one_of(st.integers(0, 30).map(str),
                        st.sampled_from(["alpha", "beta", "rc", "x", "0a", "a1"]))


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 12), st.integers(0, 12),
                          st.lists(_IDENTIFIER, max_size=3), st.booleans()), min_size=2, max_size=30))
def test_precedence_sorts_as_semver_compares(parts: list[tuple[int, int, int, list[str], bool]]) -> None:
    versions = [semver.Version(major, minor, patch, ".".join(pre) or None, "b.1" if build else None)
                for major, minor, patch, pre, build in parts]
    for a in versions:
        for b in versions:
            assert (precedence(a) < precedence(b)) == (a.compare(b) < 0), (str(a), str(b))
            assert (precedence(a) == precedence(b)) == (a.compare(b) == 0), (str(a), str(b))


def test_the_first_release_branch_that_exists_has_no_channel() -> None:
    """semantic-release keeps only the configured branches the repository has: with the default
    branches and no `master`, `main` is the first release branch (no channel, label `released`)."""

    def channel(name: str, existing: tuple[str, ...] | None) -> str | None:
        branch = resolve_branch(name, DEFAULT_BRANCHES, None if existing is None else existing.__contains__)
        assert branch is not None
        return branch.channel

    assert channel("main", ("main",)) is None
    assert channel("main", ("main", "master")) == "main"
    assert channel("next", ("main", "next")) == "next"
    assert channel("main", None) == "main"  # without `exists`, every configured branch counts
