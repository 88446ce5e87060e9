#!/usr/bin/env python3
"""Checks that template.yaml's API and the OpenAPI document (openapi/openapi.json) agree.

Every path of the document must reach the API function: through an event of its own (`Type: Api` on
ApiFunction, with `Method: ANY` or each documented method) or through the catch-all `/{proxy+}` with
`Method: ANY`. Every explicit event path must be a path of the document (same template, same parameter
names), so the template routes nothing the document does not describe. The document served at
GET /openapi.json is that file (src/http/openapi.rs embeds it), and tests in src/http/openapi.rs hold it
to the router.
"""

import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PROXY = "/{proxy+}"
METHODS = ("get", "head", "put", "patch", "delete", "post", "options")


def load_template(text):
    try:
        from samtranslator.yaml_helper import yaml_parse  # CloudFormation tags (!Ref, !Sub, ...)

        return yaml_parse(text)
    except ImportError:
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
        return yaml.load(text, Loader=Loader)


def main():
    template = load_template(open(os.path.join(ROOT, "template.yaml")).read())
    document = json.load(open(os.path.join(ROOT, "openapi", "openapi.json")))
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"]
    routes = {}
    for name, event in events.items():
        if event.get("Type") != "Api":
            continue
        properties = event["Properties"]
        routes.setdefault(properties["Path"], set()).add(properties["Method"].upper())
    documented = {
        path: {method.upper() for method in METHODS if method in item}
        for path, item in document["paths"].items()
    }
    problems = []
    for path, methods in sorted(routes.items()):
        if path == PROXY:
            continue
        if path not in documented:
            problems.append(f"template event path {path} is not a path of openapi/openapi.json")
    catch_all = "ANY" in routes.get(PROXY, set())
    for path, methods in sorted(documented.items()):
        explicit = routes.get(path)
        if explicit is not None:
            missing = set() if "ANY" in explicit else methods - explicit
            if missing:
                problems.append(f"{path}: the template's event does not route {sorted(missing)}")
        elif not catch_all:
            problems.append(f"{path} has no event and there is no {PROXY} ANY catch-all")
    if "/openapi.json" not in documented:
        problems.append("the document does not describe GET /openapi.json itself")
    if problems:
        for problem in problems:
            print(f"FAIL: {problem}")
        sys.exit(1)
    explicit = sorted(path for path in routes if path != PROXY)
    print(
        f"ok: {len(documented)} documented paths reach ApiFunction "
        f"({len(explicit)} by their own event, the rest by {PROXY}); every event path is documented"
    )


if __name__ == "__main__":
    main()
