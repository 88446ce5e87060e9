#!/usr/bin/env python3
"""Checks what template.yaml deploys, not just its syntax.

cfn-lint checks the template as written; it does not expand the SAM resources here. This script runs the
SAM translator with sample parameters (offline, region us-east-1), lints the resulting plain
CloudFormation with cfn-lint, and asserts the
security properties the service depends on: a private IAM-authorized API behind one VPC endpoint, a
resource policy that admits only the listed principals, and execution roles limited to the organizations
of the stack's account and region that carry its management tag, with the functions' own allow-list in the
managed-list layer. It also translates the template with a generated list of 1,000 organizations and checks
that nothing but the layer's content changes (the roles' policies keep their size whatever the count).
"""

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "..", "template.yaml")
MANAGED_DIRECTORY = os.path.join(HERE, "..", "..", "managed-organizations")
MANAGED_FILE = "managed-organizations.json"
TAG_KEY = "idp-gateway:managed-by"
PARAMETERS = {
    "StageName": "prod",
    "VpcEndpointId": "vpce-0123456789abcdef0",
    "AllowedPrincipalArns": "arn:aws:iam::123456789012:role/MailAdminPortal",
    "AllowedAwsOrganizationId": "",
    "ManagementTagKey": TAG_KEY,
    "ManagementTagValue": "",
    "ReservedConcurrency": "5",
    "RequireIfMatch": "true",
    "ThrottlingRateLimit": "10",
    "ThrottlingBurstLimit": "20",
    "LogRetentionInDays": "365",
}
# Pseudo parameters as CloudFormation would set them for a stack in an account with an unusual id, so that
# an ARN that did not pin the account would show.
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "210987654321",
    "AWS::StackName": "idp-gateway",
    "AWS::URLSuffix": "amazonaws.com",
}
ENFORCER_ACTIONS = {
    "workmail:DescribeIdentityProviderConfiguration",
    "workmail:PutIdentityProviderConfiguration",
    "workmail:ListUsers",
    "workmail:ListPersonalAccessTokens",
}
API_ACTIONS = ENFORCER_ACTIONS | {
    "workmail:DeleteIdentityProviderConfiguration",
    "workmail:DeletePersonalAccessToken",
}
# WorkSpaces Secure Browser: changes authorize on the (tagged) portal and on the identity provider,
# reads on the identity provider only (Service Authorization Reference, WorkSpaces Web).
API_PORTAL_ACTIONS = {
    "workspaces-web:CreateIdentityProvider",
    "workspaces-web:UpdateIdentityProvider",
    "workspaces-web:DeleteIdentityProvider",
}
API_PROVIDER_ACTIONS = API_PORTAL_ACTIONS | {
    "workspaces-web:ListIdentityProviders",
    "workspaces-web:GetIdentityProvider",
}
# The enforcer keeps existing providers: Update on the tagged portal and the provider, reads on the provider;
# never Create (a portal without a provider is reported) and never Delete.
ENFORCER_PORTAL_ACTIONS = {
    "workspaces-web:UpdateIdentityProvider",
}
ENFORCER_PROVIDER_ACTIONS = ENFORCER_PORTAL_ACTIONS | {
    "workspaces-web:ListIdentityProviders",
    "workspaces-web:GetIdentityProvider",
}
ORGANIZATION_ID = re.compile(r"^m-[0-9a-f]{32}$")
# IAM's quota on the inline policies of one role, all together (whitespace not counted).
ROLE_INLINE_POLICY_LIMIT = 10240


def evaluate(node, parameters=None, conditions=None):
    """Evaluates the Ref, Fn::Join, Fn::Split, Fn::If and Fn::Sub of a value with `parameters` (PARAMETERS
    by default) and the pseudo parameters, as CloudFormation would."""
    parameters = PARAMETERS if parameters is None else parameters
    again = lambda value: evaluate(value, parameters, conditions)  # noqa: E731
    if isinstance(node, dict) and len(node) == 1:
        (key, argument), = node.items()
        if key == "Ref" and argument in PSEUDO:
            return PSEUDO[argument]
        if key == "Ref" and argument in parameters:
            value = parameters[argument]
            return value.split(",") if argument == "AllowedPrincipalArns" else value
        if key == "Fn::If":
            condition, when_true, when_false = argument
            return again(when_true if evaluate_condition(condition, parameters, conditions) else when_false)
        if key == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            values = dict(PSEUDO)
            values.update(parameters)
            values.update({name: again(value) for name, value in variables.items()})

            def substitute(match):
                name = match.group(1)
                assert name in values, "Fn::Sub refers to ${%s}, which nothing defines" % name
                assert isinstance(values[name], str), (name, values[name])
                return values[name]

            return re.sub(r"\$\{([^}!]+)\}", substitute, text)
        if key == "Fn::Join":
            delimiter, items = argument
            items = again(items)
            return delimiter.join(str(again(item)) for item in items)
        if key == "Fn::Split":
            delimiter, text = argument
            return again(text).split(delimiter)
    if isinstance(node, list):
        return [again(item) for item in node]
    return node


def evaluate_condition(name, parameters, conditions):
    """The value of the template condition `name` (Fn::Equals and Fn::Not over parameters)."""
    conditions = CONDITIONS if conditions is None else conditions

    def truth(node):
        (key, argument), = node.items()
        if key == "Fn::Equals":
            left, right = (evaluate(side, parameters, conditions) for side in argument)
            return left == right
        if key == "Fn::Not":
            (inner,) = argument
            return not truth(inner)
        if key == "Condition":
            return truth(conditions[argument])
        raise AssertionError("condition function %s is not evaluated here" % key)

    return truth(conditions[name])


CONDITIONS = yaml_parse(open(TEMPLATE).read())["Conditions"]


class NoManagedPolicies:
    def load(self):
        return {}


def layer_zip(directory):
    """The layer archive `sam package` would upload for `directory`, and its S3 key (named by its digest)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(os.listdir(directory)):
            archive.write(os.path.join(directory, name), name)
    data = buffer.getvalue()
    return data, "%s.zip" % hashlib.sha256(data).hexdigest()


def translated(parameters=None, managed_directory=MANAGED_DIRECTORY):
    """The plain CloudFormation SAM makes of template.yaml once packaged: every function and layer in S3,
    the managed-list layer from `managed_directory` (named by its content, as `sam package` names it)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(open(TEMPLATE).read())
    for name, resource in template["Resources"].items():  # what `sam package` puts there
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://packaged/bootstrap.zip"
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = "s3://packaged/layer.zip"
        if name == "ManagedOrganizationsLayer":
            assert resource["Properties"]["ContentUri"] == "s3://packaged/layer.zip"
            resource["Properties"]["ContentUri"] = "s3://packaged/" + layer_zip(managed_directory)[1]
    try:
        return transform(template, PARAMETERS if parameters is None else parameters, NoManagedPolicies())
    except InvalidDocumentException as error:
        raise AssertionError("SAM cannot translate template.yaml: %s" % [str(c) for c in error.causes])


def of_type(resources, kind):
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def statements(document):
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value):
    return value if isinstance(value, list) else [value]


def with_rendered_policies(output):
    """`output` with every policy document given as a Fn::Sub string replaced by the object it renders to,
    so that cfn-lint checks it as an IAM policy (it does not look inside the string)."""
    output = json.loads(json.dumps(output))
    for resource in of_type(output["Resources"], "AWS::IAM::Role").values():
        for policy in resource["Properties"].get("Policies", []):
            document = policy["PolicyDocument"]
            if isinstance(document, dict) and "Fn::Sub" in document:
                policy["PolicyDocument"] = json.loads(evaluate(document))
    del output["Conditions"]["TagValueIsStackName"]  # evaluated by the rendering, used nowhere else
    return output


def check_cfn_lint(output):
    """cfn-lint passes on the translated template, and on it with its string policies rendered."""
    lint(output)
    rendered = with_rendered_policies(output)
    assert rendered != output, "the tagged-organization policies were rendered"
    lint(rendered)


def lint(output):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(output, handle)
    # W2001: the SAM translator writes the principal list into the API's policy itself, so the translated
    # template no longer refers to the AllowedPrincipalArns parameter it was made from.
    command = ["cfn-lint", "--regions", "us-east-1", "--ignore-checks", "W2001", "--", handle.name]
    result = subprocess.run(command, capture_output=True, text=True)
    errors = [line for line in result.stdout.splitlines() if re.match(r"^[EW]\d{4}", line)]
    assert not errors, "cfn-lint on the translated template:\n" + result.stdout


def check_private_iam_api(resources):
    (api,) = of_type(resources, "AWS::ApiGateway::RestApi").values()
    endpoint = api["Properties"]["EndpointConfiguration"]
    assert endpoint["Types"] == ["PRIVATE"], endpoint
    assert endpoint["VpcEndpointIds"] == [{"Ref": "VpcEndpointId"}], endpoint
    methods = api["Properties"]["Body"]["paths"]
    assert set(methods) == {
        "/organizations/{organizationId}/identity-provider",
        "/secure-browser/portals/{portalId}/identity-provider",
        "/health",
        "/{proxy+}",
    }, set(methods)
    for path, operations in methods.items():
        for method, operation in operations.items():
            assert operation["security"] == [{"AWS_IAM": []}], (path, method, operation.get("security"))


def check_resource_policy(resources):
    (api,) = of_type(resources, "AWS::ApiGateway::RestApi").values()
    policy = api["Properties"]["Body"]["x-amazon-apigateway-policy"]
    plain = [s for s in statements(policy) if "Fn::If" not in s]
    (choice,) = [s["Fn::If"] for s in statements(policy) if "Fn::If" in s]
    by_sid = {s["Sid"]: s for s in plain}
    outside = by_sid["DenyOutsideTheVpcEndpoint"]
    assert outside["Effect"] == "Deny" and "aws:SourceVpce" in outside["Condition"]["StringNotEquals"], outside
    condition, with_organization, principals_only = choice
    assert condition == "AdmitAwsOrganization", condition
    for unlisted in (with_organization, principals_only):
        assert unlisted["Sid"] == "DenyUnlistedPrincipals" and unlisted["Effect"] == "Deny", unlisted
        listed = unlisted["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        assert PARAMETERS["AllowedPrincipalArns"] in json.dumps(listed), listed
    assert "aws:PrincipalOrgID" in with_organization["Condition"]["StringNotEquals"], with_organization
    assert set(principals_only["Condition"]) == {"ArnNotLike"}, principals_only


def role_of(resources, function_name):
    function = resources[function_name]
    return resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]


STATEMENT_MEMBERS = {"Sid", "Effect", "Action", "Resource", "Condition"}


def role_statements(resources, role, parameters=None):
    """Every statement of the role's inline policies, with the policy documents given as a Fn::Sub string
    rendered and parsed as IAM would receive them."""
    found = []
    for policy in role["Properties"].get("Policies", []):
        document = policy["PolicyDocument"]
        if isinstance(document, dict) and "Fn::Sub" in document:
            document = json.loads(evaluate(document, parameters))
        assert isinstance(document, dict), policy
        assert document["Version"] == "2012-10-17", policy
        for statement in statements(document):
            assert set(statement) <= STATEMENT_MEMBERS, statement
            assert {"Effect", "Action", "Resource"} <= set(statement), statement
            found.append(statement)
    return found


def tag_condition(parameters=None):
    parameters = PARAMETERS if parameters is None else parameters
    value = parameters["ManagementTagValue"] or PSEUDO["AWS::StackName"]
    return {"StringEquals": {"aws:ResourceTag/" + parameters["ManagementTagKey"]: value}}


def role_grants(resources, function_name, actions, parameters=None):
    """The function's role may call exactly `actions`, on the WorkMail organizations of this stack's account
    and region that carry the management tag, and nowhere else."""
    role = role_of(resources, function_name)
    assert not role["Properties"].get("ManagedPolicyArns"), "no managed policies on the role"
    workmail = [
        statement
        for statement in role_statements(resources, role, parameters)
        if any(action.startswith("workmail:") for action in as_list(statement.get("Action", [])))
        and not is_list_organizations(statement)
    ]
    assert len(workmail) == 1, workmail
    (statement,) = workmail
    assert statement["Effect"] == "Allow", statement
    assert set(as_list(statement["Action"])) == actions, statement
    arn = "arn:aws:workmail:%s:%s:organization/*" % (PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"])
    assert as_list(statement["Resource"]) == [arn], statement
    assert statement["Condition"] == tag_condition(parameters), statement
    assert not any(of_type(resources, "AWS::IAM::RolePolicy")), "no other policies attach to the roles"
    assert not any(of_type(resources, "AWS::IAM::Policy")), "no other policies attach to the roles"


def is_list_organizations(statement):
    """The one statement on `*`: ListOrganizations, which IAM authorizes on no resource."""
    return as_list(statement.get("Action", [])) == ["workmail:ListOrganizations"]


def list_organizations_grant(resources, function_name, expected):
    listing = [s for s in role_statements(resources, role_of(resources, function_name)) if is_list_organizations(s)]
    if expected:
        assert len(listing) == 1 and listing[0]["Resource"] == "*" and "Condition" not in listing[0], listing
    else:
        assert not listing, "only the API lists organizations: %s" % listing


def portal_grants(resources, function_name, portal_actions, provider_actions, parameters=None):
    """The function's role may call exactly `portal_actions` on the tagged portals of this stack's account
    and region, and `provider_actions` on that account's and region's identity providers (which carry no
    management tag), and no other WorkSpaces Web action anywhere."""
    role = role_of(resources, function_name)
    browser = [
        statement
        for statement in role_statements(resources, role, parameters)
        if any(action.startswith("workspaces-web:") for action in as_list(statement.get("Action", [])))
    ]
    scope = "arn:aws:workspaces-web:%s:%s:" % (PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"])
    by_resource = {tuple(as_list(statement["Resource"])): statement for statement in browser}
    assert set(by_resource) == {(scope + "portal/*",), (scope + "identityProvider/*",)}, browser
    portals = by_resource[(scope + "portal/*",)]
    assert set(as_list(portals["Action"])) == portal_actions, portals
    assert portals["Condition"] == tag_condition(parameters), portals
    providers = by_resource[(scope + "identityProvider/*",)]
    assert set(as_list(providers["Action"])) == provider_actions, providers
    assert "Condition" not in providers, providers
    writes = {a for a in provider_actions if not a.split(":")[1].startswith(("List", "Get"))}
    assert writes <= portal_actions, "every change also needs the tagged portal: %s" % (writes - portal_actions)


def check_least_privilege(resources):
    role_grants(resources, "ApiFunction", API_ACTIONS)
    portal_grants(resources, "ApiFunction", API_PORTAL_ACTIONS, API_PROVIDER_ACTIONS)
    list_organizations_grant(resources, "ApiFunction", True)
    list_organizations_grant(resources, "EnforcerFunction", False)
    role_grants(resources, "EnforcerFunction", ENFORCER_ACTIONS)
    portal_grants(resources, "EnforcerFunction", ENFORCER_PORTAL_ACTIONS, ENFORCER_PROVIDER_ACTIONS)
    enforcer = role_statements(resources, role_of(resources, "EnforcerFunction"))
    deletes = [
        a
        for s in enforcer
        for a in as_list(s.get("Action", []))
        if a.startswith(("workmail:Delete", "workspaces-web:Delete"))
    ]
    assert not deletes, "the enforcer never deletes: %s" % deletes
    creates = [a for s in enforcer for a in as_list(s.get("Action", [])) if a.startswith("workspaces-web:Create")]
    assert not creates, "the enforcer never gives a portal a provider: %s" % creates
    for function in ("ApiFunction", "EnforcerFunction"):
        lease_grants(resources, function)
        no_untagged_wildcards(resources, function)
    # Another tag value is what the roles then require.
    other = dict(PARAMETERS, ManagementTagKey="team:mail-admin", ManagementTagValue="eu-tenants")
    role_grants(resources, "ApiFunction", API_ACTIONS, other)
    portal_grants(resources, "ApiFunction", API_PORTAL_ACTIONS, API_PROVIDER_ACTIONS, other)
    role_grants(resources, "EnforcerFunction", ENFORCER_ACTIONS, other)
    portal_grants(resources, "EnforcerFunction", ENFORCER_PORTAL_ACTIONS, ENFORCER_PROVIDER_ACTIONS, other)


def no_untagged_wildcards(resources, function_name):
    """Every statement (but the ETag key's Deny) allows, names its actions one by one and its resources by ARN; the only `*` in a
    resource is the organization or portal id, only under the management-tag condition, or the identity
    provider ids of this account and region (identity providers carry no management tag; every change
    to one also needs the tagged portal, see portal_grants)."""
    providers = "arn:aws:workspaces-web:%s:%s:identityProvider/*" % (PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"])
    for statement in role_statements(resources, role_of(resources, function_name)):
        if statement["Effect"] == "Deny":
            assert statement.get("Sid") == "KeepTheEtagKey", "the one Deny, checked by lease_grants: %s" % statement
            continue
        assert statement["Effect"] == "Allow", statement
        assert "NotAction" not in statement and "NotResource" not in statement, statement
        assert all("*" not in action for action in as_list(statement["Action"])), statement
        for resource in as_list(statement["Resource"]):
            if isinstance(resource, str) and "*" in resource:
                assert resource.count("*") == 1, statement
                if resource == providers or (resource == "*" and is_list_organizations(statement)):
                    continue
                assert resource.endswith((":organization/*", ":portal/*")), statement
                assert statement.get("Condition") == tag_condition(), statement


def check_tag_parameters(resources):
    """The tag key and value go into a policy document as text: their patterns keep out anything that could
    end a JSON string or widen a match, and the key cannot be one of AWS's own."""
    parameters = yaml_parse(open(TEMPLATE).read())["Parameters"]
    assert "ManagedOrganizationIds" not in parameters, "the list lives in managed-organizations.json"
    key = re.compile(parameters["ManagementTagKey"]["AllowedPattern"])
    value = re.compile(parameters["ManagementTagValue"]["AllowedPattern"])
    assert parameters["ManagementTagKey"]["Default"] == TAG_KEY
    assert parameters["ManagementTagValue"]["Default"] == ""
    for accepted in (TAG_KEY, "team:mail-admin", "a"):
        assert key.match(accepted), accepted
    for refused in ("", "aws:cloudformation:stack-name", 'a"b', "a\\b", "a*", "a b", "a}", "x" * 129):
        assert not key.match(refused), refused
    for accepted in ("", "idp-gateway", "eu-tenants"):
        assert value.match(accepted), accepted
    for refused in ('a"b', "a\\b", "*", "a?", "x" * 257):
        assert not value.match(refused), refused


def valid_managed_list(text):
    """The organizations of a managed-list file, checked as the functions check it at start-up: one member,
    "organizations", given once; at least one entry; each an organization id ('*' refused), listed once."""

    def no_repeats(pairs):
        names = [name for name, _ in pairs]
        assert len(names) == len(set(names)), "a member name is repeated: %s" % names
        return dict(pairs)

    document = json.loads(text, object_pairs_hook=no_repeats)
    assert isinstance(document, dict) and set(document) == {"organizations"}, document
    organizations = document["organizations"]
    assert isinstance(organizations, list) and organizations, "at least one organization"
    for index, organization in enumerate(organizations):
        assert isinstance(organization, str) and ORGANIZATION_ID.match(organization), (index, organization)
    assert len(set(organizations)) == len(organizations), "an organization is listed twice"
    return organizations


def properties_of_functions_with_layer(resources, layer_name, content_uri):
    """The properties of both functions, once it is checked that the template builds the layer
    `layer_name` from `content_uri` and that both functions carry it."""
    source = yaml_parse(open(TEMPLATE).read())["Resources"][layer_name]
    assert source["Properties"]["ContentUri"] == content_uri, source
    (layer,) = [name for name in of_type(resources, "AWS::Lambda::LayerVersion") if name.startswith(layer_name)]
    for function in ("ApiFunction", "EnforcerFunction"):
        properties = resources[function]["Properties"]
        assert {"Ref": layer} in properties["Layers"], properties["Layers"]
        yield properties


def check_managed_list(resources):
    """Both functions read the managed list from the one layer, never from the environment, and the shipped
    list is valid (the guarantee ManagedOrganizationIds' AllowedPattern gave: ids only, no '*')."""
    valid_managed_list(open(os.path.join(MANAGED_DIRECTORY, MANAGED_FILE)).read())
    assert os.listdir(MANAGED_DIRECTORY) == [MANAGED_FILE], "the layer holds the list alone"
    for properties in properties_of_functions_with_layer(resources, "ManagedOrganizationsLayer", "managed-organizations/"):
        variables = properties["Environment"]["Variables"]
        assert variables["MANAGED_ORGANIZATIONS_FILE"] == "/opt/" + MANAGED_FILE, variables
        assert "MANAGED_ORGANIZATION_IDS" not in variables, "setting both stops the function"
    for bad in (
        '{"organizations": ["*"]}',
        '{"organizations": []}',
        '{"organizations": ["m-0123456789abcdef0123456789abcdef"], "organizations": []}',
        '{"organizations": ["m-0123456789abcdef0123456789abcdef"], "extra": 1}',
        '{"organizations": ["m-0123456789abcdef0123456789abcdef", "m-0123456789abcdef0123456789abcdef"]}',
        '{"organizations": ["m-0123456789ABCDEF0123456789abcdef"]}',
    ):
        try:
            valid_managed_list(bad)
        except (AssertionError, ValueError):
            continue
        raise AssertionError("the managed-list check accepts %s" % bad)


def without_layer_content(output):
    """The translated template with the managed-list layer's content (and the logical id SAM derives from
    it) blanked out: what must not depend on the number of organizations."""
    text = json.dumps(output, sort_keys=True)
    text = re.sub(r"ManagedOrganizationsLayer[0-9a-f]{10}", "ManagedOrganizationsLayer", text)
    text = re.sub(r'"[0-9a-f]{64}\.zip"', '"managed-list.zip"', text)
    return text


def role_policy_characters(resources, function_name):
    """The role's inline policies as IAM counts them: rendered (each Fn::GetAtt as the ARN it is in a stack
    named idp-gateway), whitespace removed."""
    region, account = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
    arns = {
        "ApiFunctionLogs": "arn:aws:logs:%s:%s:log-group:/aws/lambda/idp-gateway-api:*" % (region, account),
        "EnforcerFunctionLogs": "arn:aws:logs:%s:%s:log-group:/aws/lambda/idp-gateway-enforcer:*" % (region, account),
        "WriteLockTable": "arn:aws:dynamodb:%s:%s:table/idp-gateway-write-locks" % (region, account),
        "EnforcerDeadLetterQueue": "arn:aws:sqs:%s:%s:idp-gateway-enforcer-failures" % (region, account),
    }

    def arn_of(node):
        if isinstance(node, dict) and set(node) == {"Fn::GetAtt"}:
            name, attribute = node["Fn::GetAtt"]
            assert attribute == "Arn" and name in arns, node
            return arns[name]
        if isinstance(node, dict):
            return {key: arn_of(value) for key, value in node.items()}
        if isinstance(node, list):
            return [arn_of(item) for item in node]
        return node

    role = role_of(resources, function_name)
    total = 0
    for policy in role["Properties"]["Policies"]:
        document = policy["PolicyDocument"]
        if isinstance(document, dict) and "Fn::Sub" in document:
            document = json.loads(evaluate(document))
        total += len(re.sub(r"\s", "", json.dumps(arn_of(evaluate(document)))))
    return total


def check_scales_to_thousands(resources):
    """A managed list of 1,000 organizations: the same template but for the layer's content, which cfn-lint
    passes, with roles whose policies have the size they have for one organization."""
    baseline = translated()
    ids = ["m-%032x" % (0x5EED * 7919 * (n + 1)) for n in range(1000)]
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, MANAGED_FILE), "w") as handle:
            json.dump({"organizations": ids}, handle, indent=2)
        assert len(valid_managed_list(open(os.path.join(directory, MANAGED_FILE)).read())) == 1000
        thousand = translated(managed_directory=directory)
        zipped = len(layer_zip(directory)[0])
        size = os.path.getsize(os.path.join(directory, MANAGED_FILE))
    assert without_layer_content(thousand) == without_layer_content(baseline), "only the layer's content differs"
    assert json.dumps(thousand) != json.dumps(baseline), "the layer's content does differ"
    started = time.monotonic()
    check_cfn_lint(thousand)
    lint_seconds = time.monotonic() - started
    sizes = {}
    for function in ("ApiFunction", "EnforcerFunction"):
        one = role_policy_characters(baseline["Resources"], function)
        many = role_policy_characters(thousand["Resources"], function)
        assert one == many, (function, one, many)
        assert many < ROLE_INLINE_POLICY_LIMIT, (function, many)
        sizes[function] = many
    print(
        "  1,000 organizations: list %d bytes (layer zip %d bytes); cfn-lint on the translated template passes (%.1f s); "
        "role inline policies %d (api) and %d (enforcer) of IAM's %d characters, as for one organization"
        % (size, zipped, lint_seconds, sizes["ApiFunction"], sizes["EnforcerFunction"], ROLE_INLINE_POLICY_LIMIT)
    )


LEASE_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
ETAG_KEY_ITEM = "deployment/etag-key"  # src/lease/etag_keys.rs


def lease_grants(resources, function_name):
    """Both functions share the one lease table, with item-level actions on it alone."""
    function = resources[function_name]
    role = resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
    dynamodb = [
        statement
        for statement in role_statements(resources, role)
        if any(action.startswith("dynamodb:") for action in as_list(statement["Action"]))
    ]
    assert len(dynamodb) == 2, dynamodb
    (statement,) = [statement for statement in dynamodb if statement["Effect"] == "Allow"]
    assert set(as_list(statement["Action"])) == LEASE_ACTIONS, statement
    assert statement["Resource"] == {"Fn::GetAtt": ["WriteLockTable", "Arn"]}, statement
    # The ETag key item (src/lease/etag_keys.rs) is the functions' to make, never to change or remove.
    (deny,) = [statement for statement in dynamodb if statement["Effect"] == "Deny"]
    assert set(as_list(deny["Action"])) == {"dynamodb:DeleteItem", "dynamodb:UpdateItem"}, deny
    assert deny["Resource"] == {"Fn::GetAtt": ["WriteLockTable", "Arn"]}, deny
    assert deny["Condition"] == {
        "ForAnyValue:StringEquals": {"dynamodb:LeadingKeys": [ETAG_KEY_ITEM]}
    }, deny
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["WRITE_LOCK_TABLE"] == {"Ref": "WriteLockTable"}, variables
    assert variables["WRITE_LOCK_IN_PROCESS"] == "false", "deployed functions never use in-process leases"


def check_lease_table(resources):
    (table,) = of_type(resources, "AWS::DynamoDB::Table").values()
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST", properties
    assert properties["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}], properties
    assert properties["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}], properties
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}, properties
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, properties


def check_enforcer(resources):
    properties = resources["EnforcerFunction"]["Properties"]
    assert properties["ReservedConcurrentExecutions"] == 1, "one sweep at a time"
    assert properties["Architectures"] == ["arm64"] and properties["Runtime"] == "provided.al2023"
    variables = properties["Environment"]["Variables"]
    assert variables["ENFORCEMENT_POLICY_FILE"] == "/opt/enforcement-policy.json", variables
    assert variables["ENFORCER_ROLE_ARN"] == {"Fn::GetAtt": ["EnforcerFunctionRole", "Arn"]}, variables
    (invoke_config,) = of_type(resources, "AWS::Lambda::EventInvokeConfig").values()
    on_failure = invoke_config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert on_failure == {"Fn::GetAtt": ["EnforcerDeadLetterQueue", "Arn"]}, on_failure
    rules = of_type(resources, "AWS::Events::Rule").values()
    schedules = [r for r in rules if "ScheduleExpression" in r["Properties"]]
    assert [r["Properties"]["ScheduleExpression"] for r in schedules] == [{"Ref": "EnforcementSchedule"}], schedules
    (trail,) = [r for r in rules if "EventPattern" in r["Properties"]]
    pattern = trail["Properties"]["EventPattern"]
    assert pattern["detail-type"] == ["AWS API Call via CloudTrail"], pattern
    assert pattern["detail"]["errorCode"] == [{"exists": False}], pattern
    assert set(pattern["detail"]["eventName"]) == {
        "PutIdentityProviderConfiguration",
        "DeleteIdentityProviderConfiguration",
    }, pattern
    enforcer_policy = json.load(open(os.path.join(HERE, "..", "..", "enforcement-policy", "enforcement-policy.json")))
    assert enforcer_policy["defaults"]["mode"] == "report", "the shipped policy only reports until edited"
    for portal_id, portal in enforcer_policy.get("portals", {}).items():
        mode = portal.get("mode", enforcer_policy.get("portalDefaults", {}).get("mode", "report"))
        assert mode == "report", "the shipped policy only reports on portal %s until edited" % portal_id


def check_function(resources):
    function = resources["ApiFunction"]
    properties = function["Properties"]
    assert properties["Runtime"] == "provided.al2023" and properties["Handler"] == "bootstrap", properties
    assert properties["Architectures"] == ["arm64"], properties["Architectures"]
    assert properties["LoggingConfig"]["LogFormat"] == "JSON"
    assert properties["ReservedConcurrentExecutions"] == {"Ref": "ReservedConcurrency"}
    assert properties["Timeout"] <= 29, "under API Gateway's integration timeout"
    variables = properties["Environment"]["Variables"]
    assert variables["AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH"] == "true"
    assert variables["MANAGED_ORGANIZATIONS_FILE"] == "/opt/managed-organizations.json", variables
    assert variables["ACCESS_POLICY_FILE"] == "/opt/access-policy.json", "per-caller authorization is on"
    assert variables["REQUIRE_IF_MATCH"] == {"Ref": "RequireIfMatch"}
    access_policy = json.load(open(os.path.join(HERE, "..", "..", "access-policy", "access-policy.json")))
    for grant in access_policy["grants"]:
        assert "escalate" not in grant["permissions"], "the shipped access policy grants no escalation"
    timeout_ms = int(variables["WORKMAIL_OPERATION_TIMEOUT_MS"])
    # A write: the lease's bounded wait (3 s), three WorkMail calls (read, write, confirming read) and two
    # more lease calls (renewal, release; 2 s each at most), all inside the function's timeout, which
    # stays under API Gateway's 29 s. A lockout-risk write also reads the directory, for at most 15 s
    # and never past the invocation's deadline less what the write needs after it.
    assert 3000 + 3 * timeout_ms + 2 * 2000 < properties["Timeout"] * 1000, "a write fits in the function timeout"


def check_trusted_roots(resources):
    # The functions trust Amazon's roots compiled into them; a deployment that widens that trust
    # (EXTRA_ROOT_CERTIFICATES_FILE, for a TLS-inspecting proxy) does so on purpose, not by default.
    # SSL_CERT_FILE and SSL_CERT_DIR are not read, so setting them would only mislead.
    for name in ("ApiFunction", "EnforcerFunction"):
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        for widening in ("EXTRA_ROOT_CERTIFICATES_FILE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
            assert widening not in variables, "%s sets %s" % (name, widening)


def check_endpoint_partitions(resources):
    """Both functions carry the endpoint-partitions layer and name their own region's file in it; the layer
    holds one file per region, each holding the region's one partition with that region alone."""
    directory = os.path.join(HERE, "..", "..", "endpoint-partitions")
    files = sorted(os.listdir(directory))
    for region in ("us-east-1", "us-west-2", "eu-west-1", "us-gov-west-1"):  # WorkMail's, and GovCloud
        assert "endpoint-partition-%s.json" % region in files, files
    for name in files:
        (partition,) = json.load(open(os.path.join(directory, name)))["partitions"]
        (region,) = partition["regions"]
        assert name == "endpoint-partition-%s.json" % region, name
    for properties in properties_of_functions_with_layer(resources, "EndpointPartitionsLayer", "endpoint-partitions/"):
        variable = properties["Environment"]["Variables"]["SMITHY_CLIENT_SDK_CUSTOM_PARTITION"]
        assert variable == {"Fn::Sub": "/opt/endpoint-partition-${AWS::Region}.json"}, variable


def check_stage(resources):
    (stage,) = of_type(resources, "AWS::ApiGateway::Stage").values()
    settings = stage["Properties"]["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}, settings
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}, settings
    access = stage["Properties"]["AccessLogSetting"]
    assert "$context.identity.userArn" in access["Format"], access
    json.loads(access["Format"].replace("$context.", "context."))


SCP = os.path.join(HERE, "..", "..", "docs", "deny-direct-writes-scp.json")


def check_direct_write_scp(resources):
    """The example service control policy denies the two write actions to every principal but the two
    functions' roles, whose ARNs the template outputs under the names the placeholders refer to."""
    policy = json.load(open(SCP))
    assert policy["Version"] == "2012-10-17", policy
    (statement,) = statements(policy)
    assert statement["Effect"] == "Deny" and statement["Resource"] == "*", statement
    assert set(as_list(statement["Action"])) == {
        "workmail:PutIdentityProviderConfiguration",
        "workmail:DeleteIdentityProviderConfiguration",
    }, statement
    assert set(statement["Condition"]) == {"ArnNotLike"}, statement
    admitted = statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert admitted == ["API_FUNCTION_ROLE_ARN", "ENFORCER_FUNCTION_ROLE_ARN"], admitted
    outputs = yaml_parse(open(TEMPLATE).read())["Outputs"]
    assert outputs["ApiFunctionRoleArn"]["Value"] == {"Fn::GetAtt": ["ApiFunctionRole", "Arn"]}, outputs
    assert outputs["EnforcerFunctionRoleArn"]["Value"] == {"Fn::GetAtt": ["EnforcerFunctionRole", "Arn"]}, outputs
    granted = {
        action
        for role in ("ApiFunctionRole", "EnforcerFunctionRole")
        for statement in role_statements(resources, resources[role])
        for action in as_list(statement["Action"])
        if action.startswith("workmail:") and "IdentityProviderConfiguration" in action and not action.startswith("workmail:Describe")
    }
    assert granted == set(as_list(policy["Statement"][0]["Action"])), granted


TAGGING_SCP = os.path.join(HERE, "..", "..", "docs", "deny-management-tagging-scp.json")


def check_tagging_scp(resources):
    """Whoever may tag organizations with the management key can bring them under the roles: the example
    SCP denies adding, changing or removing that key (compared without case, as IAM compares the key in
    aws:ResourceTag/<key>) to every principal but the placeholder administrators."""
    policy = json.load(open(TAGGING_SCP))
    assert policy["Version"] == "2012-10-17", policy
    (statement,) = statements(policy)
    assert statement["Effect"] == "Deny" and statement["Resource"] == "*", statement
    assert set(as_list(statement["Action"])) == {"workmail:TagResource", "workmail:UntagResource"}, statement
    assert set(statement["Condition"]) == {"ForAnyValue:StringEqualsIgnoreCase", "ArnNotLike"}, statement
    keys = statement["Condition"]["ForAnyValue:StringEqualsIgnoreCase"]
    assert keys == {"aws:TagKeys": [TAG_KEY]}, keys
    admitted = statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert admitted == ["MAIL_ORGANIZATION_ADMIN_ROLE_ARN"], admitted


def check_principal_pattern(resources):
    """AllowedPrincipalArns takes role ARNs with paths (IAM Identity Center's included), refuses anything
    but one account's IAM role or user ARNs."""
    template = yaml_parse(open(TEMPLATE).read())
    pattern = re.compile(template["Parameters"]["AllowedPrincipalArns"]["AllowedPattern"])
    for accepted in [
        "arn:aws:iam::123456789012:role/MailAdminPortal",
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_MailAdmins_*",
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_MailAdmins_0123456789abcdef",
        "arn:aws-us-gov:iam::123456789012:user/alice",
    ]:
        assert pattern.match(accepted), accepted
    for refused in ["*", "arn:aws:iam::*:role/x", "arn:aws:sts::123456789012:assumed-role/x/y", "arn:aws:iam::123456789012:root", ""]:
        assert not pattern.match(refused), refused


def main():
    output = translated()
    resources = output["Resources"]
    checks = [
        check_private_iam_api,
        check_resource_policy,
        check_least_privilege,
        check_lease_table,
        check_function,
        check_enforcer,
        check_trusted_roots,
        check_endpoint_partitions,
        check_stage,
        check_direct_write_scp,
        check_principal_pattern,
        check_tagging_scp,
        check_tag_parameters,
        check_managed_list,
        check_scales_to_thousands,
    ]
    failed = 0
    for check in checks:
        try:
            check(resources)
            print("ok", check.__name__)
        except AssertionError as error:
            failed += 1
            print("FAILED", check.__name__, error)
    try:
        check_cfn_lint(output)
        print("ok check_cfn_lint")
    except AssertionError as error:
        failed += 1
        print("FAILED check_cfn_lint", error)
    total = len(checks) + 1
    print("%d passed, %d failed" % (total - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
