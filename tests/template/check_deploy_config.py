#!/usr/bin/env python3
"""Checks that `sam deploy` with the shipped samconfig.toml and template.yaml gets past its own parsing.

`sam validate --lint` never reads samconfig.toml's deploy section, so an override SAM CLI cannot parse
(once `AllowedAwsOrganizationId=`, an empty value) or parses into something else (`rate(1 hour)` unquoted
becomes `rate(1`) went unnoticed until a deployer ran the README's `sam deploy --guided`. This runs the
real command twice, offline, with dummy credentials:

1. `sam deploy --config-env default --no-confirm-changeset --debug` (non-interactive, the same
   samconfig.toml section and parameter parsing as --guided), and
2. `sam deploy --guided --config-env default` with its prompts answered from stdin: Enter (the default
   SAM CLI offers, which is the samconfig value or the template's default) everywhere, and "n" to
   "Save arguments to configuration file".

Both must stop at the first AWS call, which with `resolve_s3 = true` is CloudFormation (SAM CLI's
managed S3 bucket stack), before any packaging: so no `sam build` is needed, and the honest failure is
the network. HTTPS_PROXY points at a closed loopback port so that nothing leaves the machine even where
there is a network. The check fails on any other error (option parsing, a missing or extra prompt, a
traceback) and also checks what SAM CLI parsed: every override equals what samconfig.toml means, names
a template parameter and satisfies that parameter's constraints, and every parameter without a default
is given. It runs in a copy of the tracked files, so neither a local `.aws-sam/build` nor `target/`
changes what it sees, and nothing can be written back into the repository.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CONFIG_ENV = "default"
# What the last error may be about: the network, a proxy, an endpoint, or credentials. Never the
# configuration.
EXPECTED_FAILURE = re.compile(
    r"Could not connect to the endpoint URL|Failed to connect to proxy URL|Connect timeout on endpoint URL"
    r"|Read timeout on endpoint URL|EndpointConnectionError|Unable to locate credentials|NoCredentialsError"
    r"|security token included in the request is invalid|InvalidClientTokenId|UnrecognizedClientException"
    r"|SignatureDoesNotMatch|ExpiredToken"
)
CONFIGURATION_TROUBLE = re.compile(
    r"Invalid value for|is not a valid format|Usage: sam|Missing option|No such option|Aborted!|Traceback"
    r"|Error: .*(parameter|config|template)",
    re.IGNORECASE,
)


def ensure_sam():
    """sam on PATH, and its Python packages (samtranslator reads the template here) for this python3."""
    try:
        import samtranslator  # noqa: F401

        importable = True
    except ModuleNotFoundError:
        importable = False
    if shutil.which("sam") is None or not importable:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--root-user-action=ignore", "aws-sam-cli>=1.140"],
            check=True,
        )


def load_toml(path):
    try:
        import tomllib  # Python 3.11+

        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except ModuleNotFoundError:
        import tomlkit  # comes with aws-sam-cli

        with open(path, encoding="utf-8") as handle:
            return tomlkit.parse(handle.read()).unwrap()


def intended_overrides(samconfig):
    """What each `Key=Value` override of samconfig.toml means: the value after the first '=', one pair of
    matching quotes removed (SAM CLI's syntax for a value with spaces)."""
    overrides = samconfig[CONFIG_ENV]["deploy"]["parameters"].get("parameter_overrides", [])
    if isinstance(overrides, str):
        raise SystemExit("check expects parameter_overrides as a list of Key=Value strings, one per parameter")
    meant = {}
    for entry in overrides:
        key, _, value = entry.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meant[key] = value
    return meant


def template_parameters():
    from samtranslator.yaml_helper import yaml_parse  # comes with aws-sam-cli

    with open(os.path.join(ROOT, "template.yaml"), encoding="utf-8") as handle:
        return yaml_parse(handle.read())["Parameters"]


def constraint_problems(name, value, spec):
    """What CloudFormation would refuse about `value` for the parameter `spec` (the constraints this
    template uses)."""
    problems = []
    values = [part.strip() for part in value.split(",")] if spec["Type"] == "CommaDelimitedList" else [value]
    for item in values:
        pattern = spec.get("AllowedPattern")
        if pattern is not None and re.fullmatch(pattern, item) is None:
            problems.append(f"{name}={item!r} does not match AllowedPattern {pattern}")
        allowed = spec.get("AllowedValues")
        if allowed is not None and item not in [str(a) for a in allowed]:
            problems.append(f"{name}={item!r} is not one of AllowedValues {allowed}")
        if spec["Type"] == "Number":
            try:
                number = float(item)
            except ValueError:
                problems.append(f"{name}={item!r} is not a number")
                continue
            if "MinValue" in spec and number < float(spec["MinValue"]):
                problems.append(f"{name}={item!r} is below MinValue {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                problems.append(f"{name}={item!r} is above MaxValue {spec['MaxValue']}")
    return problems


def copy_tracked_files(destination):
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.split(b"\0")
    for relative in filter(None, (name.decode() for name in listed)):
        source = os.path.join(ROOT, relative)
        if not os.path.isfile(source):
            continue  # deleted in the work tree
        target = os.path.join(destination, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)


def offline_environment(home):
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": home,
        "LANG": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": "dummy",
        "AWS_SECRET_ACCESS_KEY": "dummy",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.path.join(home, "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-aws-credentials"),
        # A closed port: no request leaves the machine, whatever network it has.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "SAM_CLI_TELEMETRY": "0",
    }
    for keep in ("PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV"):
        if keep in os.environ:
            environment[keep] = os.environ[keep]
    return environment


def start(arguments, directory, environment, stdin_text=None):
    return subprocess.Popen(
        ["sam", "deploy", *arguments], cwd=directory, env=environment, text=True,
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def finish(name, process, stdin_text, began):
    try:
        output, _ = process.communicate(stdin_text, timeout=150)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise SystemExit(f"{name}: no answer within 150 s\n{output}")
    return output, process.returncode, time.monotonic() - began


def last_error(output):
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    return errors[-1] if errors else None


def check_failure(name, output, code, failures):
    error = last_error(output)
    print(f"--- {name}: exit {code}; last error: {error}")
    if code == 0:
        failures.append(f"{name}: exited 0 (it cannot deploy offline: what did it do?)")
    if error is None or not EXPECTED_FAILURE.search(error):
        failures.append(f"{name}: the failure is not about the network or credentials: {error}")
    trouble = [line for line in output.splitlines() if CONFIGURATION_TROUBLE.search(line) and line != error]
    if error is not None and CONFIGURATION_TROUBLE.search(error) and not EXPECTED_FAILURE.search(error):
        trouble.append(error)
    if trouble:
        failures.append(f"{name}: configuration trouble: " + " | ".join(trouble))


def main():
    ensure_sam()
    samconfig = load_toml(os.path.join(ROOT, "samconfig.toml"))
    meant = intended_overrides(samconfig)
    parameters = template_parameters()
    failures = []

    # What samconfig.toml means, checked against the template before SAM CLI runs.
    for key, value in meant.items():
        if key not in parameters:
            failures.append(f"samconfig.toml overrides {key}, which template.yaml does not have")
        elif value == "":
            failures.append(f"samconfig.toml overrides {key} with an empty value (SAM CLI refuses it; leave "
                            "it out to get the template's default)")
    for key, spec in parameters.items():
        if "Default" not in spec and key not in meant:
            failures.append(f"{key} has no default in template.yaml and no override in samconfig.toml")

    with tempfile.TemporaryDirectory(prefix="sam-deploy-check-") as scratch:
        work = os.path.join(scratch, "repo")
        home = os.path.join(scratch, "home")
        os.makedirs(home)
        copy_tracked_files(work)
        with open(os.path.join(work, "samconfig.toml"), "rb") as handle:
            shipped = handle.read()
        environment = offline_environment(home)

        # Enter for stack name, region, each parameter, "Confirm changes", "Allow SAM CLI IAM role
        # creation" and "Disable rollback"; then "n": do not save the answers.
        answers = "\n" * (2 + len(parameters) + 3) + "n\n"
        began = time.monotonic()
        plain = start(["--config-env", CONFIG_ENV, "--no-confirm-changeset", "--debug"], work, environment)
        # The guided run gets its own HOME: SAM CLI keeps state there.
        guided_home = os.path.join(scratch, "home-guided")
        os.makedirs(guided_home)
        guided = start(["--guided", "--config-env", CONFIG_ENV], work, offline_environment(guided_home), answers)
        plain_output, plain_code, plain_seconds = finish("sam deploy", plain, None, began)
        guided_output, guided_code, guided_seconds = finish("sam deploy --guided", guided, answers, began)

        with open(os.path.join(work, "samconfig.toml"), "rb") as handle:
            if handle.read() != shipped:
                failures.append("sam deploy --guided changed samconfig.toml")

    # 1. The non-interactive run: show what SAM CLI read and parsed, then check it.
    print(f"=== sam deploy --config-env {CONFIG_ENV} --no-confirm-changeset --debug ({plain_seconds:.1f} s)")
    shown = re.compile(r"Config file location|Loading configuration values|Using config file|Using SAM Template"
                       r"|Converted \d+ parameters|^Error:|Usage:|Invalid value")
    for line in plain_output.splitlines():
        if shown.search(line):
            print("  " + re.sub(r"^\S+ \S+ \| ", "", line))
    check_failure("sam deploy", plain_output, plain_code, failures)
    converted = re.search(r"Converted \d+ parameters: (\{.*\})", plain_output)
    if converted is None:
        failures.append("sam deploy: no 'Converted N parameters' debug line: did SAM CLI parse the overrides? "
                        "(if SAM CLI changed its debug output, update this check)")
    else:
        parsed = ast.literal_eval(converted.group(1))
        if parsed != meant:
            for key in sorted(set(parsed) | set(meant)):
                if parsed.get(key) != meant.get(key):
                    failures.append(f"sam deploy parsed {key}={parsed.get(key)!r}, samconfig.toml means "
                                    f"{meant.get(key)!r}")
    if f"config environment: {CONFIG_ENV}" not in plain_output:
        failures.append(f"sam deploy did not report config environment {CONFIG_ENV}")

    # 2. The guided run: the transcript, the defaults it offered (what Enter deploys), and the failure.
    print(f"=== sam deploy --guided --config-env {CONFIG_ENV}, answers from stdin ({guided_seconds:.1f} s)")
    print("\n".join("  " + line for line in guided_output.strip().splitlines()))
    check_failure("sam deploy --guided", guided_output, guided_code, failures)
    offered = dict(re.findall(r"Parameter (\w+) \[([^\]]*)\]:", guided_output))
    if set(offered) != set(parameters):
        failures.append(f"sam deploy --guided asked for {sorted(offered)}, the template has {sorted(parameters)}")
    for key, spec in parameters.items():
        if key not in offered:
            continue
        expected = meant.get(key, str(spec.get("Default", "")))
        if offered[key] != expected:
            failures.append(f"sam deploy --guided offers {key} [{offered[key]}], expected [{expected}]")
        failures.extend(f"sam deploy --guided: {problem}" for problem in constraint_problems(key, offered[key], spec))
    if "Looking for resources needed for deployment" not in guided_output:
        failures.append("sam deploy --guided did not get past its prompts")

    print(f"=== both runs together: {time.monotonic() - began:.1f} s")
    if failures:
        print("FAILED:\n" + "\n".join("  " + failure for failure in failures))
        return 1
    print(f"ok: the shipped samconfig.toml parses ({len(meant)} overrides, the other "
          f"{len(parameters) - len(meant)} parameters at the template's defaults); both commands stop at the "
          "first AWS call (network), before packaging")
    return 0


if __name__ == "__main__":
    sys.exit(main())
