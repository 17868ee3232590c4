"""The only module that imports click: commands, options and the one error handler."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from relbot import __version__, ghactions
from relbot.errors import ExitCode, NoReleaseError, RelbotError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    def __init__(self, directory: Path, config: Path | None, verbose: int) -> None:
        self.directory = directory
        self.config = config
        self.verbose = verbose

    def say(self, message: str) -> None:
        from relbot.redact import redact  # noqa: PLC0415

        click.echo(redact(message), err=True)


pass_ctx = click.make_pass_decorator(Context)
# with --json, stdout holds the JSON alone (workflow commands go to stderr); gone: stdout's reader left
_STDOUT = {"json": False, "gone": False}


def _json_on_stdout(as_json: bool) -> None:
    _STDOUT["json"] = as_json


def _workflow_command(line: str) -> None:
    _out(line, err=_STDOUT["json"])


def _out(text: str, *, nl: bool = True, err: bool = False) -> None:
    """Echo to stdout (or stderr); a reader that went away (`relbot … | head -1`) ends the output,
    never the run: a release goes on to its end."""
    if _STDOUT["gone"] and not err:
        return
    try:
        click.echo(text, nl=nl, err=err)
    except BrokenPipeError:
        if err:
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        _STDOUT["gone"] = True


_DIRECTORY_HELP = "Run in this repository directory instead of the current one."
_CONFIG_HELP = "Read the configuration from this file instead of .releaserc*."
_VERBOSE_HELP = "Show every commit, the rule applied and why each breaking-change line counts or not."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="relbot")
@click.option("-C", "directory", type=click.Path(path_type=Path), default=Path(), help=_DIRECTORY_HELP)
@click.option("--config", "config", type=click.Path(path_type=Path), default=None, help=_CONFIG_HELP)
@click.option("-v", "--verbose", count=True, help=_VERBOSE_HELP)
@click.pass_context
def cli(ctx: click.Context, directory: Path, config: Path | None, verbose: int) -> None:
    """Conventional Commits releases and GitOps image-tag updates."""
    ctx.obj = Context(directory, config, verbose)


def _set_global(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """A callback that writes a global option given after the subcommand into the run's Context."""
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        obj = ctx.find_object(Context)
        if obj is None or value is None or value == 0:
            return
        if name == "verbose":
            obj.verbose += int(value)
        else:
            setattr(obj, name, value)
    return callback


def global_options(func: F) -> F:
    """`-C`, `--config` and `-v` after the subcommand too (`relbot version -v`), as before it."""
    func = click.option("-C", "directory", type=click.Path(path_type=Path), default=None,
                        expose_value=False, callback=_set_global("directory"), help=_DIRECTORY_HELP)(func)
    func = click.option("--config", type=click.Path(path_type=Path), default=None, expose_value=False,
                        callback=_set_global("config"), help=_CONFIG_HELP)(func)
    return click.option("-v", "--verbose", count=True, expose_value=False,
                        callback=_set_global("verbose"), help=_VERBOSE_HELP)(func)


def branch_option(func: F) -> F:
    return click.option("--branch", default=None,
                        help="Release as this branch (default: git, or the CI environment).")(func)


def push_branch_option(func: F) -> F:
    return click.option("--branch", default=None,
                        help="Push to (or open the pull request into) this branch of origin "
                             "(default: git, or the CI environment).")(func)


def verified_option(func: F) -> F:
    return click.option("--verified-commits/--no-verified-commits", "verified", default=None,
                        help="Make the commit through GitHub's API, which signs it (\"Verified\"), "
                             "instead of git push (default: verifiedCommits in the configuration).")(func)


@cli.command("version")
@global_options
@branch_option
@click.option("--tag", "print_tag", is_flag=True, help="Print the tag instead of the version.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object with the details.")
@click.option("--strict", is_flag=True,
              help=f"Exit {int(ExitCode.NO_RELEASE)} when no release is due.")
@click.option("--package", "package", default=None, metavar="NAME",
              help="In a monorepo (`packages`): the next version of this package (or group).")
@pass_ctx
def version_cmd(obj: Context, branch: str | None, print_tag: bool, as_json: bool,
                strict: bool, package: str | None) -> None:
    """Print the next version (nothing on stdout when no release is due)."""
    if _packages_version(obj, branch, print_tag, as_json, strict, package):
        return
    plan = _plan(obj, branch, detail="commits" if obj.verbose else "counts" if as_json else "version")
    _actions_outputs({"released": "true" if plan.released else "false", "version": plan.version or "",
                      "tag": plan.tag or "", "previous-version": plan.previous_version or ""})
    if as_json:
        import json  # noqa: PLC0415 - only --json needs it

        _out(json.dumps(plan.as_json(), indent=2, ensure_ascii=False))
    elif plan.released:
        _out(plan.tag if print_tag else plan.version)
    if plan.released:
        obj.say(f"{plan.tag}: {plan.rule}")
    elif strict:  # the error says the reason; once
        raise NoReleaseError(plan.reason, "--strict makes 'no release' an error; drop it to exit 0")
    else:
        obj.say(plan.reason)


def _packages_version(obj: Context, branch: str | None, print_tag: bool, as_json: bool,
                      strict: bool, package: str | None) -> bool:
    """`relbot version` in a monorepo: every package's decision (`--json`), one package's version
    (`--package`), or a `NAME VERSION` line for each package that is due. False: no `packages`."""
    from relbot.release.monorepo import pick  # noqa: PLC0415
    from relbot.release.version import plan_packages  # noqa: PLC0415

    plans = plan_packages(obj.directory, branch, config_path=obj.config, notes=False, say=obj.say)
    if plans is None:
        if package is not None:
            raise UsageError(f"--package {package}: the configuration has no `packages`",
                             "list the packages under `packages` in .releaserc.json, or drop --package")
        return False
    chosen = [pick(plans, package)] if package is not None else list(plans)
    due = [p for p in chosen if p.version is not None]
    import json  # noqa: PLC0415 - only --json and Actions need it

    if ghactions.in_actions(os.environ):
        outputs = {"packages": json.dumps([entry for p in due for entry in p.matrix()]),
                   "released": "true" if due else "false"}
        if package is not None:
            outputs |= {"version": due[0].version or "", "tag": due[0].tag or ""} if due else \
                {"version": "", "tag": ""}
        _actions_outputs(outputs)
    if as_json:
        body = [p.as_json() for p in chosen]
        _out(json.dumps(body[0] if package is not None else {"packages": body}, indent=2, ensure_ascii=False))
    elif package is not None and due:
        _out(str(due[0].tag if print_tag else due[0].version))
    else:
        for plan in due:
            _out(f"{plan.unit.name} {plan.tag if print_tag else plan.version}")
    for plan in chosen:
        obj.say(f"{plan.tag}: {plan.rule}" if plan.version else f"{plan.unit.name}: {plan.reason}")
    if strict and not due:
        raise NoReleaseError("no release is due for " + (package or "any package"),
                             "--strict makes 'no release' an error; drop it to exit 0")
    return True


@cli.command("changelog")
@global_options
@branch_option
@click.option("--full", is_flag=True, help="Regenerate the whole changelog from every release tag.")
@click.option("--package", "package", default=None, metavar="NAME",
              help="In a monorepo (`packages`): the next release notes of this package (or group).")
@pass_ctx
def changelog_cmd(obj: Context, branch: str | None, full: bool, package: str | None) -> None:
    """Print the next release's notes (or, with --full, a whole changelog)."""
    from relbot.release.version import full_changelog  # noqa: PLC0415

    if _package_notes(obj, branch, package, full):
        return
    if full:
        text = full_changelog(obj.directory, branch=branch, config_path=obj.config)
        _out(text, nl=False)  # not an output: a whole history can pass GitHub's 1 MB limit
        return
    plan = _plan(obj, branch)
    _actions_outputs({"notes": plan.notes if plan.released else ""})
    if plan.released:
        _out(plan.notes, nl=False)
    else:
        obj.say(plan.reason)


def strict_option(func: F) -> F:
    return click.option(
        "--strict", is_flag=True,
        help="With --dry-run: check the credentials too, and fail as the real run would "
             "(the default when CI=true).")(func)


@cli.command("release")
@global_options
@branch_option
@click.option("--dry-run", is_flag=True,
              help="Print the whole plan (notes, diffs, commit, tag, push, release); change nothing.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the plan, each step's state and what was done as JSON.")
@strict_option
@pass_ctx
def release_cmd(obj: Context, branch: str | None, dry_run: bool, as_json: bool, strict: bool) -> None:
    """Release: changelog, version files, commit, tag, atomic push, GitHub Release."""
    from relbot.reports.release import run_release  # noqa: PLC0415

    _json_on_stdout(as_json)
    for line in run_release(obj.directory, obj.config, branch, dry_run, verbose=obj.verbose,
                            say=obj.say, command=_workflow_command, as_json=as_json, strict=strict):
        _out(line, nl=False)


@cli.command("bump-values")
@global_options
@click.argument("files", nargs=-1)
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Set a value by path (a.b[0].c, yq's .a.b); VALUE may hold ${version}.")
@click.option("--image", "images", multiple=True, metavar="REPOSITORY=TAG",
              help="Set every reference to an image (TAG, TAG@sha256:…, or @sha256:…).")
@click.option("--version", "version", default=None, help="The version for ${version}.")
@click.option("--version-from", type=click.Choice(["tag", "ref"]), default=None,
              help="tag: the latest release tag; ref: GITHUB_REF when it is a tag (the default).")
@click.option("--document", type=click.IntRange(min=1), default=None,
              help="In a multi-document file, edit document N (from 1).")
@click.option("--create", is_flag=True, help="Add a missing last key next to its siblings.")
@click.option("--allow-downgrade", is_flag=True, help="Allow moving a version backwards.")
@click.option("--allow-shared", is_flag=True,
              help="Also change the other paths that share a value through an anchor or merge.")
@click.option("--commit/--no-commit", default=None, help="Commit the changed files.")
@click.option("--push/--no-push", default=None,
              help="Commit and push, retrying if the branch moves.")
@click.option("--create-pr", is_flag=True, default=None,
              help="Push a branch and open (or update) a pull request instead.")
@click.option("--message", default=None,
              help="Commit message (default: chore: update image tags to ${version}).")
@click.option("--retries", type=click.IntRange(0, 50), default=5, show_default=True,
              help="Push attempts after a rejection because the branch moved.")
@click.option("--dry-run", is_flag=True,
              help="Print the diff and the steps (write, commit, push or pull request); change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes and the steps as JSON.")
@click.option("--package", "package", default=None, metavar="NAME",
              help="In a monorepo: the version comes from this package's (or group's) tags.")
@strict_option
@push_branch_option
@verified_option
@pass_ctx
def bump_values_cmd(obj: Context, files: tuple[str, ...], sets: tuple[str, ...],
                    images: tuple[str, ...], version: str | None, version_from: str | None,
                    document: int | None, create: bool, allow_downgrade: bool, allow_shared: bool,
                    commit: bool | None, push: bool | None, create_pr: bool | None,
                    message: str | None, retries: int, dry_run: bool, as_json: bool,
                    strict: bool, branch: str | None, verified: bool | None, package: str | None) -> None:
    """Set image tags and other values in Helm values files, byte for byte."""
    from relbot.reports.values import run_bump  # noqa: PLC0415
    from relbot.values.plan import BumpOptions  # noqa: PLC0415

    options = BumpOptions(
        files=files, sets=sets, images=images, version=version, version_from=version_from,
        document=document, create=create, allow_downgrade=allow_downgrade,
        allow_shared=allow_shared, commit=commit,
        push=push, create_pr=create_pr, message=message, dry_run=dry_run, retries=retries,
        branch=branch, strict=strict or os.environ.get("CI") == "true", verified=verified,
        package=package)
    _json_on_stdout(as_json)
    for line in run_bump(obj.directory, obj.config, options, as_json=as_json, say=obj.say,
                         command=_workflow_command):
        _out(line, nl=False)


@cli.command("rollback")
@global_options
@click.argument("files", nargs=-1)
@click.option("--set", "sets", multiple=True, metavar="PATH[=VALUE]",
              help="A value to roll back (a.b[0].c, yq's .a.b); with --to, VALUE may hold ${version} "
                   "(the default).")
@click.option("--image", "images", multiple=True, metavar="REPOSITORY[=TAG]",
              help="Roll back every reference to an image; with --to, TAG may hold ${version} (the default).")
@click.option("--to", "to", default=None, metavar="VERSION",
              help="Set this release (it must have a release tag) instead of the deploy before.")
@click.option("--reason", default=None, help="Why, for the commit message (a failed smoke test, a run URL).")
@click.option("--of", "of", default=None, metavar="COMMIT",
              help="Roll back only if COMMIT set the values now (the deploy that failed); else change "
                   "nothing.")
@click.option("--allow-shared", is_flag=True,
              help="Also set back the other paths that share a value through an anchor or merge.")
@click.option("--document", type=click.IntRange(min=1), default=None,
              help="In a multi-document file, roll back document N (from 1).")
@click.option("--commit/--no-commit", default=None, help="Commit the changed files.")
@click.option("--push/--no-push", default=None,
              help="Commit and push, retrying if the branch moves and origin still has the values "
                   "rolled back from.")
@click.option("--create-pr", is_flag=True, default=None,
              help="Push a branch and open (or update) a pull request instead.")
@click.option("--retries", type=click.IntRange(0, 50), default=5, show_default=True,
              help="Push attempts after a rejection because the branch moved.")
@click.option("--dry-run", is_flag=True, help="Print the diff and the steps; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the rollback, changes and steps as JSON.")
@strict_option
@push_branch_option
@verified_option
@pass_ctx
def rollback_cmd(obj: Context, files: tuple[str, ...], sets: tuple[str, ...], images: tuple[str, ...],
                 to: str | None, reason: str | None, of: str | None, allow_shared: bool,
                 document: int | None, commit: bool | None,
                 push: bool | None, create_pr: bool | None, retries: int, dry_run: bool,
                 as_json: bool, strict: bool, branch: str | None, verified: bool | None) -> None:
    """Set values back to the deploy before the current one (from git history), or to a release."""
    from relbot.reports.values import run_rollback  # noqa: PLC0415
    from relbot.values.rollback import RollbackOptions  # noqa: PLC0415

    options = RollbackOptions(
        files=files, sets=sets, images=images, to=to, reason=reason, document=document, commit=commit,
        push=push, create_pr=create_pr, dry_run=dry_run, retries=retries, branch=branch,
        strict=strict or os.environ.get("CI") == "true", allow_shared=allow_shared, of=of,
        verified=verified)
    _json_on_stdout(as_json)
    for line in run_rollback(obj.directory, obj.config, options, as_json=as_json, say=obj.say,
                             command=_workflow_command):
        _out(line, nl=False)


def _package_notes(obj: Context, branch: str | None, package: str | None, full: bool) -> bool:
    """`relbot changelog` in a monorepo: the notes of `--package NAME`. False: no `packages`."""
    from relbot.release.monorepo import pick  # noqa: PLC0415
    from relbot.release.version import plan_packages  # noqa: PLC0415

    plans = plan_packages(obj.directory, branch, config_path=obj.config, say=obj.say)
    if plans is None:
        if package is not None:
            raise UsageError(f"--package {package}: the configuration has no `packages`",
                             "list the packages under `packages` in .releaserc.json, or drop --package")
        return False
    if package is None:
        raise UsageError("the configuration has `packages`: name the package whose notes to print",
                         "pass --package NAME (`relbot version --json` lists the packages)")
    if full:
        raise UsageError("--full and --package: a whole changelog per package is not made yet",
                         "drop --full for the package's next release notes")
    plan = pick(plans, package)
    _actions_outputs({"notes": plan.notes if plan.version else ""})
    if plan.version:
        _out(plan.notes, nl=False)
    else:
        obj.say(f"{plan.unit.name}: {plan.reason}")
    return True


def _actions_outputs(values: dict[str, str]) -> None:
    """In GitHub Actions, the answer as step outputs too (`$GITHUB_OUTPUT`), so that the action
    runs relbot once per step."""
    if ghactions.in_actions(os.environ):
        ghactions.set_outputs(os.environ, values)


def _plan(obj: Context, branch: str | None, *, detail: str = "notes") -> Any:
    from relbot.release.version import plan_version  # noqa: PLC0415

    plan = plan_version(obj.directory, branch=branch, config_path=obj.config, say=obj.say,
                        detail=detail)  # type: ignore[arg-type]
    if obj.verbose:
        from relbot.reports.release import explain  # noqa: PLC0415

        explain(plan, obj.say)
    return plan


def main() -> None:
    """Entry point: run the CLI and map RelbotError to stderr and its exit code."""
    from relbot import redact  # noqa: PLC0415

    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        if "--json" in sys.argv[1:]:  # a workflow reading stdout gets its answer for this failure too
            from relbot.reports import error_json  # noqa: PLC0415

            _out(error_json(UsageError(exc.format_message(), "see --help")), nl=False)
        exc.show()
        sys.exit(exc.exit_code)
    except RelbotError as exc:
        click.echo(f"relbot: error: {redact.redact(exc.message)}", err=True)
        if exc.hint:
            click.echo(f"hint: {redact.redact(exc.hint)}", err=True)
        if ghactions.in_actions(os.environ):
            _workflow_command(ghactions.error_annotation(redact.redact(exc.message)))
        sys.exit(int(exc.exit_code))
    except Exception as exc:
        import traceback  # noqa: PLC0415

        click.echo(redact.redact("".join(traceback.format_exception(exc))), err=True)
        click.echo("relbot: internal error (a bug): please report it with the text above", err=True)
        sys.exit(int(ExitCode.ERROR))
    sys.exit(0)
