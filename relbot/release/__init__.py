"""The release product: Conventional Commits (`commits`), commit-analyzer's rules (`rules`), the
next version (`versioning`, `version`, `history`), release notes and CHANGELOG.md (`changelog`),
semantic-release's templates (`templates`), version files (`versionfiles`), and the release as a
plan of steps (`plan`, `steps`) that `run` checks and executes."""
