"""A stateful fake of the GitHub REST API that checks every exchange against GitHub's OpenAPI description."""
