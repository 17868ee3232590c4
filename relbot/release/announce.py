"""What the github plugin says on GitHub besides the Release (pure text): the comment on each pull
request and issue a release includes, the `released` labels, the failure issue's body, and which
issues a message closes. The default texts are semantic-release's, so a team that switches sees
the same comments; the hidden markers let a rerun skip what is already there and find the failure
issue semantic-release opened."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from relbot.release import templates
from relbot.release.commits import find_references

FAIL_MARKER = "<!-- semantic-release:github -->"  # semantic-release's own: its open issue is found too
SIGNATURE = "Your **relbot** bot :package::rocket:"


def released_marker(tag: str) -> str:
    """The hidden line a success comment ends with, so a rerun does not comment twice."""
    return f"<!-- relbot:released {tag} -->"


def success_comment(*, is_pull: bool, version: str, release_name: str, release_url: str | None,
                    template: str | None, values: Mapping[str, str], tag: str) -> str:
    """The comment on a pull request or issue the release includes (`successComment`)."""
    if template is not None:
        body = templates.render(template, values, "plugins[@semantic-release/github].successComment")
    else:
        what = "PR is included" if is_pull else "issue has been resolved"
        where = f"[{release_name}]({release_url})" if release_url else f"`{release_name}`"
        body = (f":tada: This {what} in version {version} :tada:\n\nThe release is available on "
                f"{where}\n\n{SIGNATURE}")
    return f"{body}\n\n{released_marker(tag)}"


def released_labels(configured: Sequence[str] | None, values: Mapping[str, str]) -> tuple[str, ...]:
    """The labels put on what a release includes: `released` (or `released on @CHANNEL`) unless
    `releasedLabels` says otherwise; `false` is none."""
    if configured is None:
        channel = values.get("nextRelease.channel", "")
        return (f"released on @{channel}" if channel else "released",)
    return tuple(templates.render(label, values, "plugins[@semantic-release/github].releasedLabels")
                 for label in configured)


def fail_comment(*, branch: str, errors: Sequence[tuple[str, str]], template: str | None,
                 values: Mapping[str, str]) -> str:
    """The failure issue's body, or the comment added to the open one (`failComment`).
    `errors`: (message, what to do) of each error."""
    if template is not None:
        listed = "\n".join(f"- {message}" for message, _hint in errors)
        return templates.render(template, {**values, "branch.name": branch, "errors": listed},
                                "plugins[@semantic-release/github].failComment")
    reported = "\n\n---\n\n".join(f"### {message}\n\n{hint or 'No more information is available.'}"
                                  for message, hint in errors)
    return (f"## :rotating_light: The automated release from the `{branch}` branch failed. "
            ":rotating_light:\n\n"
            "I recommend you give this issue a high priority, so other packages depending on you "
            "can benefit from your bug fixes and new features again.\n\n"
            "You can find below the list of errors reported by **relbot**. Each one of them has to "
            "be resolved in order to automatically publish your package. Each error says what to "
            "do.\n\n"
            f"Once all the errors are resolved, **relbot** will release your package the next time "
            f"you push a commit to the `{branch}` branch. You can also manually restart the failed "
            "CI job that runs **relbot**: a rerun finishes what the failed run started.\n\n"
            f"---\n\n{reported}\n\n---\n\n"
            f"Good luck with your project ✨\n\n{SIGNATURE}")


def closed_issues(messages: Iterable[str], slug: str) -> list[int]:
    """The issue numbers the messages close (`fixes #12`, `closes acme/widget#3`), in order, once
    each; references to other repositories are left out."""
    found: list[int] = []
    for message in messages:
        for ref in find_references(message):
            if ref.action is None or (ref.owner_repo and ref.owner_repo.lower() != slug.lower()):
                continue
            number = int(ref.issue)
            if number not in found:
                found.append(number)
    return found
