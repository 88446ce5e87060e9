//! The enforcer's portals against the emulator over real HTTP with the real WorkSpaces Web SDK
//! client: drift reported and left alone, drift remediated through the portal write use case with the
//! secret kept, type changes refused unless allowed (and never guessed when they need a secret), no
//! provider created, none deleted, SAML certificate findings and their EMF metric, and secrets
//! refused in a policy and absent from every report and log line.

mod support;

use idp_gateway::domain::secure_browser::ResourceScope;
use idp_gateway::enforce::{EnforcementPolicy, Enforcer, Summary};
use idp_gateway::workmail::SdkWorkMail;
use idp_gateway::workspaces_web::SdkWorkSpacesWeb;
use serde_json::{Value, json};
use support::portals::*;
use support::*;
use workmail_emulator::demo::{
    EMPTY_PORTAL_ARN, EMPTY_PORTAL_ID, PORTAL_ARN, PORTAL_ID, saml_metadata_valid_between,
};
use workmail_emulator::{EmulatedIdentityProvider, Emulator, Fault, FaultRule};

const SECRET: &str = "enforcer-portal-secret-9d2f41";
const ROLE: &str = "arn:aws:iam::123456789012:role/idp-gateway-enforcer";

/// An OIDC provider holding `SECRET`, its attributes requested with `method`.
fn oidc_provider(method: &str) -> EmulatedIdentityProvider {
    EmulatedIdentityProvider {
        name: "Corp OIDC".to_owned(),
        provider_type: "OIDC".to_owned(),
        details: [
            ("client_id", "portal-client"),
            ("client_secret", SECRET),
            ("oidc_issuer", "https://login.example.com"),
            ("authorize_scopes", "openid email"),
            ("attributes_request_method", method),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect(),
    }
}

fn saml_provider(metadata: String) -> EmulatedIdentityProvider {
    EmulatedIdentityProvider {
        name: "Corp SAML".to_owned(),
        provider_type: "SAML".to_owned(),
        details: [("MetadataFile".to_owned(), metadata)]
            .into_iter()
            .collect(),
    }
}

struct Bed {
    emulator: Emulator,
    enforcer: Enforcer<SdkWorkMail, SdkWorkSpacesWeb>,
}

impl Bed {
    /// The emulator with the demo (a SAML portal and an empty one) and an enforcer for `portals`.
    async fn new(portals: Value) -> Self {
        Self::with_policy(json!({ "callsPerSecond": 1000, "portals": portals })).await
    }

    async fn with_policy(policy: Value) -> Self {
        let emulator = Emulator::start().await.expect("emulator");
        emulator.seed_demo();
        let policy = EnforcementPolicy::parse(&policy.to_string()).expect("valid policy");
        let config = sdk_config(&emulator.url()).await;
        let scope =
            ResourceScope::from_function_arn(FUNCTION_ARN).expect("the tests' function ARN");
        let enforcer = Enforcer::new(
            SdkWorkMail::new(&config, &test_settings()),
            local_leases(),
            lease_settings(&test_settings()),
            policy,
            Some(ROLE.to_owned()),
        )
        .with_portals(
            SdkWorkSpacesWeb::new(&config, &test_settings()),
            Some(scope),
        );
        Self { emulator, enforcer }
    }

    /// A scheduled sweep; what it answers has no secret, and nothing was deleted or created.
    async fn sweep(&self) -> Value {
        let summary: Summary = self
            .enforcer
            .handle(&event("enforcer-scheduled.json"))
            .await
            .expect("a readable event");
        let value = serde_json::to_value(&summary).expect("summary serializes");
        assert!(
            !value.to_string().contains(SECRET),
            "a secret in the report: {value}"
        );
        let operations = self.emulator.operations();
        assert!(
            !operations.iter().any(|op| op == "DeleteIdentityProvider"),
            "the enforcer never deletes: {operations:?}"
        );
        assert!(
            !operations.iter().any(|op| op == "CreateIdentityProvider"),
            "the enforcer never creates a provider: {operations:?}"
        );
        value
    }

    fn updates(&self) -> usize {
        self.emulator
            .operations()
            .iter()
            .filter(|op| *op == "UpdateIdentityProvider")
            .count()
    }
}

fn portal<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["portals"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["portalId"] == id))
        .unwrap_or_else(|| panic!("no result for portal {id} in {summary}"))
}

fn oidc_desired(method: &str) -> Value {
    json!({ "type": "OIDC", "oidc": { "attributesRequestMethod": method, "issuer": "https://login.example.com" } })
}

#[tokio::test]
async fn report_mode_finds_drift_and_writes_nothing() {
    let bed =
        Bed::new(json!({ PORTAL_ID: { "mode": "report", "desired": oidc_desired("POST") } })).await;
    bed.emulator
        .set_secure_browser_provider(PORTAL_ARN, oidc_provider("GET"));
    let summary = bed.sweep().await;
    let result = portal(&summary, PORTAL_ID);
    assert_eq!(result["outcome"], "drifted", "{result}");
    assert_eq!(result["mode"], "report");
    assert_eq!(
        result["diff"],
        json!([{ "pointer": "/oidc/attributesRequestMethod", "before": "GET", "after": "POST" }])
    );
    assert_eq!(summary["portalTotals"]["drifted"], 1, "{summary}");
    assert_eq!(bed.updates(), 0);
    assert_eq!(
        bed.emulator.operations(),
        ["ListIdentityProviders", "GetIdentityProvider"],
        "one paced read, nothing else"
    );
}

#[tokio::test]
async fn a_compliant_portal_is_only_read() {
    let bed =
        Bed::new(json!({ PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("GET") } })).await;
    bed.emulator
        .set_secure_browser_provider(PORTAL_ARN, oidc_provider("GET"));
    let summary = bed.sweep().await;
    assert_eq!(portal(&summary, PORTAL_ID)["outcome"], "compliant");
    assert_eq!(bed.updates(), 0);
}

#[tokio::test]
async fn enforce_mode_fixes_drift_through_the_write_use_case_and_keeps_the_secret() {
    let bed =
        Bed::new(json!({ PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("POST") } }))
            .await;
    bed.emulator
        .set_secure_browser_provider(PORTAL_ARN, oidc_provider("GET"));
    let summary = bed.sweep().await;
    let result = portal(&summary, PORTAL_ID);
    assert_eq!(result["outcome"], "remediated", "{result}");
    assert_eq!(result["confirmation"], "confirmed");
    assert_eq!(
        result["diff"],
        json!([{ "pointer": "/oidc/attributesRequestMethod", "before": "GET", "after": "POST" }])
    );
    let stored = bed
        .emulator
        .secure_browser_provider(PORTAL_ARN)
        .expect("still configured");
    assert_eq!(stored.provider_type, "OIDC");
    assert_eq!(stored.details["attributes_request_method"], "POST");
    assert_eq!(
        stored.details["client_secret"], SECRET,
        "the secret is kept"
    );
    assert_eq!(stored.details["authorize_scopes"], "openid email");
    assert_eq!(
        bed.emulator.operations(),
        [
            // The sweep's first read.
            "ListIdentityProviders",
            "GetIdentityProvider",
            // Under the portal's write lease: read, write, confirm.
            "ListIdentityProviders",
            "GetIdentityProvider",
            "UpdateIdentityProvider",
            "ListIdentityProviders",
            "GetIdentityProvider",
        ]
    );
    // A second run finds it compliant.
    let again = bed.sweep().await;
    assert_eq!(portal(&again, PORTAL_ID)["outcome"], "compliant");
    assert_eq!(bed.updates(), 1);
}

#[tokio::test]
async fn an_upstream_refusal_is_a_failure_with_its_code_and_nothing_else_changes() {
    let bed =
        Bed::new(json!({ PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("POST") } }))
            .await;
    bed.emulator
        .set_secure_browser_provider(PORTAL_ARN, oidc_provider("GET"));
    bed.emulator.inject(FaultRule::new(
        "UpdateIdentityProvider",
        Fault::Rejected {
            field: "identityProviderDetails".to_owned(),
            message: "the issuer could not be reached".to_owned(),
        },
    ));
    let summary = bed.sweep().await;
    let result = portal(&summary, PORTAL_ID);
    assert_eq!(result["outcome"], "failed", "{result}");
    assert_eq!(result["error"]["code"], "UPSTREAM_REJECTED");
    assert_eq!(
        bed.emulator
            .secure_browser_provider(PORTAL_ARN)
            .map(|p| p.details["attributes_request_method"].clone()),
        Some("GET".to_owned())
    );
}

#[tokio::test]
async fn a_type_change_is_refused_unless_allowed_and_never_guessed_without_a_secret() {
    // The demo portal's provider is SAML; the policy wants OIDC.
    let bed = Bed::new(json!({
        PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("GET") }
    }))
    .await;
    let summary = bed.sweep().await;
    let refused = portal(&summary, PORTAL_ID);
    assert_eq!(refused["outcome"], "drifted", "{refused}");
    let reason = refused["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("allowTypeChange"), "{reason}");
    assert!(reason.contains("from SAML to OIDC"), "{reason}");
    assert!(
        refused["diff"]
            .as_array()
            .is_some_and(|diff| diff.iter().any(|change| change["pointer"] == "/type")),
        "{refused}"
    );
    assert_eq!(bed.updates(), 0);

    let allowed = Bed::new(json!({
        PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("GET"), "allowTypeChange": true }
    }))
    .await;
    let summary = allowed.sweep().await;
    let incomplete = portal(&summary, PORTAL_ID);
    assert_eq!(incomplete["outcome"], "failed", "{incomplete}");
    assert_eq!(incomplete["error"]["code"], "TYPE_CHANGE_INCOMPLETE");
    let message = incomplete["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("/oidc/clientSecret"), "{message}");
    assert!(
        message.contains("a secret never goes in a policy"),
        "{message}"
    );
    assert_eq!(allowed.updates(), 0, "never guessed");
    assert_eq!(
        allowed
            .emulator
            .secure_browser_provider(PORTAL_ARN)
            .map(|p| p.provider_type),
        Some("SAML".to_owned())
    );
}

#[tokio::test]
async fn an_allowed_type_change_that_needs_no_secret_is_made_under_the_lease() {
    let desired = json!({ "type": "SAML", "saml": { "metadataUrl": "https://idp.example.com/metadata.xml" } });
    let bed = Bed::new(json!({
        PORTAL_ID: { "mode": "enforce", "desired": desired, "allowTypeChange": true }
    }))
    .await;
    bed.emulator
        .set_secure_browser_provider(PORTAL_ARN, oidc_provider("GET"));
    let summary = bed.sweep().await;
    let result = portal(&summary, PORTAL_ID);
    assert_eq!(result["outcome"], "remediated", "{result}");
    let stored = bed
        .emulator
        .secure_browser_provider(PORTAL_ARN)
        .expect("configured");
    assert_eq!(stored.provider_type, "SAML");
    assert_eq!(
        stored.details["MetadataURL"],
        "https://idp.example.com/metadata.xml"
    );
    assert!(!stored.details.contains_key("client_secret"));
}

#[tokio::test]
async fn a_portal_without_a_provider_is_reported_and_never_given_one() {
    let bed = Bed::new(json!({
        EMPTY_PORTAL_ID: { "mode": "enforce", "desired": { "type": "SAML", "saml": { "metadataUrl": "https://idp.example.com/m.xml" } } }
    }))
    .await;
    let summary = bed.sweep().await;
    let result = portal(&summary, EMPTY_PORTAL_ID);
    assert_eq!(result["outcome"], "notConfigured", "{result}");
    assert!(
        result["reason"]
            .as_str()
            .is_some_and(|r| r.contains("never creates")),
        "{result}"
    );
    assert_eq!(summary["portalTotals"]["notConfigured"], 1);
    assert!(
        bed.emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .is_none()
    );
}

#[tokio::test]
async fn portal_changes_count_against_max_changes_per_run() {
    let bed = Bed::with_policy(json!({
        "callsPerSecond": 1000,
        "maxChangesPerRun": 0,
        "portals": { PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("POST") } }
    }))
    .await;
    bed.emulator
        .set_secure_browser_provider(PORTAL_ARN, oidc_provider("GET"));
    let summary = bed.sweep().await;
    assert_eq!(
        summary["maxChangesExceeded"],
        json!({ "needed": 1, "maxChangesPerRun": 0 })
    );
    let result = portal(&summary, PORTAL_ID);
    assert_eq!(result["outcome"], "drifted");
    assert!(
        result["reason"]
            .as_str()
            .is_some_and(|r| r.contains("maxChangesPerRun (0)"))
    );
    assert_eq!(bed.updates(), 0);
}

#[tokio::test]
async fn a_direct_invocation_names_portals_and_report_caps_the_mode() {
    let bed =
        Bed::new(json!({ PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("POST") } }))
            .await;
    bed.emulator
        .set_secure_browser_provider(PORTAL_ARN, oidc_provider("GET"));
    let summary = bed
        .enforcer
        .handle(&json!({ "portalIds": [PORTAL_ID], "mode": "report" }))
        .await
        .expect("readable");
    let summary = serde_json::to_value(&summary).expect("serializes");
    assert_eq!(summary["trigger"], "on-demand");
    let result = portal(&summary, PORTAL_ID);
    assert_eq!(result["outcome"], "drifted");
    assert_eq!(result["mode"], "report");
    assert_eq!(bed.updates(), 0);
}

#[tokio::test]
async fn expiring_and_expired_signing_certificates_are_findings_in_any_mode() {
    let bed = Bed::with_policy(json!({
        "callsPerSecond": 1000,
        "certificateWarningDays": 30,
        "portalDefaults": { "mode": "report", "desired": { "type": "SAML" } },
        "portals": { PORTAL_ID: {}, EMPTY_PORTAL_ID: { "mode": "enforce" } }
    }))
    .await;
    let t = now();
    bed.emulator.set_secure_browser_provider(
        PORTAL_ARN,
        saml_provider(saml_metadata_valid_between(
            t - 300 * DAY,
            t + 10 * DAY + 3600,
        )),
    );
    bed.emulator.set_secure_browser_provider(
        EMPTY_PORTAL_ARN,
        saml_provider(saml_metadata_valid_between(
            t - 400 * DAY,
            t - 2 * DAY - 3600,
        )),
    );
    let summary = bed.sweep().await;
    let expiring = portal(&summary, PORTAL_ID);
    assert_eq!(expiring["outcome"], "compliant", "{expiring}");
    let finding = &expiring["certificateFindings"][0];
    assert_eq!(finding["subject"], "CN=idp.demo.example", "{expiring}");
    assert_eq!(finding["daysRemaining"], 10, "{expiring}");
    assert_eq!(finding["expired"], false);
    assert!(
        finding["notAfter"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    let expired = portal(&summary, EMPTY_PORTAL_ID);
    assert_eq!(expired["mode"], "enforce");
    assert_eq!(
        expired["certificateFindings"][0]["daysRemaining"], -3,
        "{expired}"
    );
    assert_eq!(expired["certificateFindings"][0]["expired"], true);
    assert_eq!(bed.updates(), 0);

    let summary: Summary = bed
        .enforcer
        .handle(&event("enforcer-scheduled.json"))
        .await
        .expect("readable");
    assert_eq!(summary.certificates_expiring_soon(), 2);
    let metrics: Value = serde_json::from_str(&summary.metrics_line(7)).expect("EMF JSON");
    assert_eq!(metrics["CertificatesExpiringSoon"], 2);
    assert!(
        metrics["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .is_some_and(|all| all.iter().any(|m| m["Name"] == "CertificatesExpiringSoon"))
    );
}

#[tokio::test]
async fn a_certificate_outside_the_window_is_no_finding() {
    let bed = Bed::with_policy(json!({
        "callsPerSecond": 1000,
        "certificateWarningDays": 5,
        "portals": { PORTAL_ID: { "desired": { "type": "SAML" } } }
    }))
    .await;
    let t = now();
    bed.emulator.set_secure_browser_provider(
        PORTAL_ARN,
        saml_provider(saml_metadata_valid_between(t - DAY, t + 10 * DAY)),
    );
    let summary = bed.sweep().await;
    assert!(
        portal(&summary, PORTAL_ID)
            .get("certificateFindings")
            .is_none(),
        "{summary}"
    );
}

#[test]
fn a_policy_with_a_secret_is_refused_at_its_pointer() {
    let policy = json!({
        "portalDefaults": { "desired": { "type": "SignInWithApple", "signInWithApple": { "privateKey": "-----BEGIN PRIVATE KEY-----" } } },
        "portals": {
            PORTAL_ID: { "desired": { "type": "OIDC", "oidc": { "clientSecret": SECRET, "attributesRequestMethod": "PUT" } } },
            "not-a-portal": { "desired": { "type": "SAML" }, "allowTypeChange": "yes" },
            EMPTY_PORTAL_ID: { "desired": { "type": "SAML", "saml": { "idpSignout": "true", "metadataUrl": "http://idp.example.com/m.xml", "extra": 1 } } }
        },
        "certificateWarningDays": 0
    });
    let error = EnforcementPolicy::parse(&policy.to_string()).expect_err("refused");
    let problems: Vec<(&str, &str)> = error
        .0
        .iter()
        .map(|p| (p.pointer.as_str(), p.message.as_str()))
        .collect();
    let at = |pointer: &str| {
        problems
            .iter()
            .find(|(p, _)| *p == pointer)
            .map(|(_, message)| *message)
            .unwrap_or_else(|| panic!("no problem at {pointer}: {problems:?}"))
    };
    assert!(
        at(&format!("/portals/{PORTAL_ID}/desired/oidc/clientSecret"))
            .contains("secrets never go in a policy")
    );
    assert!(
        at("/portalDefaults/desired/signInWithApple/privateKey")
            .contains("secrets never go in a policy")
    );
    at(&format!(
        "/portals/{PORTAL_ID}/desired/oidc/attributesRequestMethod"
    ));
    at("/portals/not-a-portal");
    at("/portals/not-a-portal/allowTypeChange");
    at(&format!(
        "/portals/{EMPTY_PORTAL_ID}/desired/saml/idpSignout"
    ));
    at(&format!(
        "/portals/{EMPTY_PORTAL_ID}/desired/saml/metadataUrl"
    ));
    at(&format!("/portals/{EMPTY_PORTAL_ID}/desired/saml/extra"));
    at("/certificateWarningDays");
    assert_eq!(
        problems
            .iter()
            .filter(|(p, _)| p.ends_with("/clientSecret"))
            .count(),
        1,
        "the secret is refused once, not also as an unknown member: {problems:?}"
    );
    assert!(
        !error.to_string().contains(SECRET),
        "the refusal does not repeat the secret"
    );
}

#[test]
fn a_policy_of_portals_only_is_valid_and_old_policies_still_are() {
    let portals_only = json!({ "portals": { PORTAL_ID: { "desired": { "type": "SAML", "saml": { "idpSignout": true } } } } });
    let policy = EnforcementPolicy::parse(&portals_only.to_string()).expect("valid");
    assert_eq!(policy.portals.len(), 1);
    assert_eq!(policy.certificate_warning_days, 30);
    assert!(policy.organizations.is_empty());
    let neither = json!({ "maxChangesPerRun": 1 });
    assert!(EnforcementPolicy::parse(&neither.to_string()).is_err());
}

/// The enforcer binary under the local Runtime API (its invocations name a function ARN of the demo
/// portals' account and region), with TRACE logs.
async fn enforcer_process(emulator: &Emulator, policy: &Value) -> lambda_harness::FunctionProcess {
    let endpoint = emulator.url();
    let policy = policy.to_string();
    let env = [
        ("AWS_ENDPOINT_URL_WORKMAIL", endpoint.as_str()),
        ("AWS_ENDPOINT_URL_WORKSPACES_WEB", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("WRITE_LOCK_IN_PROCESS", "true"),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("RUST_LOG", "trace"),
        ("ENFORCEMENT_POLICY", policy.as_str()),
        ("ENFORCER_ROLE_ARN", ROLE),
        (
            "MANAGED_ORGANIZATION_IDS",
            workmail_emulator::demo::ORGANIZATION_ID,
        ),
    ];
    lambda_harness::FunctionProcess::start(env!("CARGO_BIN_EXE_enforcer"), "EnforcerFunction", &env)
        .await
        .expect("the enforcer binary starts")
}

#[tokio::test]
async fn the_function_emits_certificates_expiring_soon_and_logs_no_secret_even_at_trace() {
    let emulator = Emulator::start().await.expect("emulator");
    emulator.seed_demo();
    let t = now();
    emulator.set_secure_browser_provider(
        PORTAL_ARN,
        saml_provider(saml_metadata_valid_between(t - 300 * DAY, t + 3 * DAY)),
    );
    emulator.set_secure_browser_provider(EMPTY_PORTAL_ARN, oidc_provider("GET"));
    let policy = json!({
        "callsPerSecond": 1000,
        "portals": {
            PORTAL_ID: { "mode": "report", "desired": { "type": "SAML" } },
            EMPTY_PORTAL_ID: { "mode": "enforce", "desired": oidc_desired("POST") }
        }
    });
    let mut enforcer = enforcer_process(&emulator, &policy).await;
    let invocation = enforcer.invoke(event("enforcer-scheduled.json")).await;
    let summary = match &invocation.outcome {
        lambda_harness::Outcome::Response(summary) => summary.clone(),
        other => panic!("expected a summary, got {other:?}"),
    };
    assert_eq!(
        portal(&summary, EMPTY_PORTAL_ID)["outcome"],
        "remediated",
        "{summary}"
    );
    assert!(!summary.to_string().contains(SECRET));
    let logs = enforcer.logs();
    assert!(logs.len() > 20, "TRACE logging is on: {} lines", logs.len());
    let leaked: Vec<&String> = logs.iter().filter(|line| line.contains(SECRET)).collect();
    assert!(leaked.is_empty(), "secrets in the logs: {leaked:?}");
    let lines: Vec<Value> = logs
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let metrics = lines
        .iter()
        .find(|l| l.get("_aws").is_some())
        .unwrap_or_else(|| panic!("no EMF line in {logs:?}"));
    assert_eq!(
        metrics["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "IdpGateway/Enforcer"
    );
    assert_eq!(metrics["CertificatesExpiringSoon"], 1, "{metrics}");
    assert_eq!(metrics["Remediated"], 1, "{metrics}");
    assert_eq!(metrics["Trigger"], "schedule");
    let checked: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "portal checked")
        .collect();
    assert_eq!(checked.len(), 2, "one line per portal: {logs:?}");
    assert_eq!(
        emulator
            .secure_browser_provider(EMPTY_PORTAL_ARN)
            .map(|p| p.details["client_secret"].clone()),
        Some(SECRET.to_owned()),
        "the secret is kept"
    );
}
