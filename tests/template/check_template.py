#!/usr/bin/env python3
"""Checks what template.yaml deploys, not just its syntax.

cfn-lint checks the template as written; it does not expand the SAM resources here. This script runs the
SAM translator with sample parameters (offline, region us-east-1), lints the resulting plain
CloudFormation with cfn-lint, and asserts the
security properties the service depends on: a private IAM-authorized API behind one VPC endpoint, a
resource policy that admits only the listed principals, and an execution role limited to the managed
organizations' ARNs.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "..", "..", "template.yaml")
ORGANIZATIONS = ["m-0123456789abcdef0123456789abcdef", "m-ffffffffffffffffffffffffffffffff"]
PARAMETERS = {
    "StageName": "prod",
    "VpcEndpointId": "vpce-0123456789abcdef0",
    "AllowedPrincipalArns": "arn:aws:iam::123456789012:role/MailAdminPortal",
    "AllowedAwsOrganizationId": "",
    "ManagedOrganizationIds": ",".join(ORGANIZATIONS),
    "ReservedConcurrency": "5",
    "RequireIfMatch": "true",
    "ThrottlingRateLimit": "10",
    "ThrottlingBurstLimit": "20",
    "LogRetentionInDays": "365",
}
DESCRIBE_PUT = {
    "workmail:DescribeIdentityProviderConfiguration",
    "workmail:PutIdentityProviderConfiguration",
}
DESCRIBE_PUT_DELETE = DESCRIBE_PUT | {"workmail:DeleteIdentityProviderConfiguration"}


def evaluate(node):
    """Evaluates the Ref, Fn::Join and Fn::Split of a value with PARAMETERS, as CloudFormation would."""
    if isinstance(node, dict) and len(node) == 1:
        (key, argument), = node.items()
        if key == "Ref" and argument in PARAMETERS:
            value = PARAMETERS[argument]
            return value.split(",") if argument in ("ManagedOrganizationIds", "AllowedPrincipalArns") else value
        if key == "Fn::Join":
            delimiter, items = argument
            items = evaluate(items)
            return delimiter.join(str(evaluate(item)) for item in items)
        if key == "Fn::Split":
            delimiter, text = argument
            return evaluate(text).split(delimiter)
    if isinstance(node, list):
        return [evaluate(item) for item in node]
    return node


class NoManagedPolicies:
    def load(self):
        return {}


def translated():
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(open(TEMPLATE).read())
    for resource in template["Resources"].values():  # what `sam package` puts there
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://packaged/bootstrap.zip"
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = "s3://packaged/layer.zip"
    try:
        return transform(template, PARAMETERS, NoManagedPolicies())
    except InvalidDocumentException as error:
        raise AssertionError("SAM cannot translate template.yaml: %s" % [str(c) for c in error.causes])


def of_type(resources, kind):
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def statements(document):
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value):
    return value if isinstance(value, list) else [value]


def check_cfn_lint(output):
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
    assert set(methods) == {"/organizations/{organizationId}/identity-provider", "/health", "/{proxy+}"}, set(methods)
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


def role_grants(resources, function_name, actions):
    """The function's role may call exactly `actions`, on exactly the managed organizations, in this
    stack's account and region."""
    function = resources[function_name]
    role = resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
    assert not role["Properties"].get("ManagedPolicyArns"), "no managed policies on the role"
    workmail = [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in statements(policy["PolicyDocument"])
        if any(action.startswith("workmail:") for action in as_list(statement["Action"]))
    ]
    assert len(workmail) == 1, workmail
    (statement,) = workmail
    assert set(as_list(statement["Action"])) == actions, statement
    arns = evaluate(statement["Resource"])
    assert arns == ["arn:aws:workmail:*:*:organization/" + o for o in ORGANIZATIONS], arns
    assert statement["Condition"]["StringEquals"] == {
        "aws:ResourceAccount": {"Ref": "AWS::AccountId"},
        "aws:RequestedRegion": {"Ref": "AWS::Region"},
    }, statement
    assert not any(of_type(resources, "AWS::IAM::RolePolicy")), "no other policies attach to the roles"


def check_least_privilege(resources):
    role_grants(resources, "ApiFunction", DESCRIBE_PUT_DELETE)
    role_grants(resources, "EnforcerFunction", DESCRIBE_PUT)
    for function in ("ApiFunction", "EnforcerFunction"):
        lease_grants(resources, function)


LEASE_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def lease_grants(resources, function_name):
    """Both functions share the one lease table, with item-level actions on it alone."""
    function = resources[function_name]
    role = resources[function["Properties"]["Role"]["Fn::GetAtt"][0]]
    dynamodb = [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in statements(policy["PolicyDocument"])
        if any(action.startswith("dynamodb:") for action in as_list(statement["Action"]))
    ]
    assert len(dynamodb) == 1, dynamodb
    (statement,) = dynamodb
    assert statement["Effect"] == "Allow", statement
    assert set(as_list(statement["Action"])) == LEASE_ACTIONS, statement
    assert statement["Resource"] == {"Fn::GetAtt": ["WriteLockTable", "Arn"]}, statement
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
    assert variables["MANAGED_ORGANIZATION_IDS"] == {"Fn::Join": [",", {"Ref": "ManagedOrganizationIds"}]}
    assert variables["ACCESS_POLICY_FILE"] == "/opt/access-policy.json", "per-caller authorization is on"
    assert variables["REQUIRE_IF_MATCH"] == {"Ref": "RequireIfMatch"}
    access_policy = json.load(open(os.path.join(HERE, "..", "..", "access-policy", "access-policy.json")))
    for grant in access_policy["grants"]:
        assert "escalate" not in grant["permissions"], "the shipped access policy grants no escalation"
    timeout_ms = int(variables["WORKMAIL_OPERATION_TIMEOUT_MS"])
    # A write: the lease's bounded wait (3 s), three WorkMail calls (read, write, confirming read) and two
    # more lease calls (renewal, release; 2 s each at most), all inside the function's timeout, which
    # stays under API Gateway's 29 s.
    assert 3000 + 3 * timeout_ms + 2 * 2000 < properties["Timeout"] * 1000, "a write fits in the function timeout"


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
        for policy in resources[role]["Properties"]["Policies"]
        for statement in statements(policy["PolicyDocument"])
        for action in as_list(statement["Action"])
        if action.startswith("workmail:") and "IdentityProviderConfiguration" in action and not action.startswith("workmail:Describe")
    }
    assert granted == set(as_list(policy["Statement"][0]["Action"])), granted


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
        check_stage,
        check_direct_write_scp,
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
