//! Fuzz target: any bytes as a Lambda HTTP event, through the API's real entry point
//! (`handle_raw_event`, which the Lambda runtime hands every invocation's text) with the emulator as
//! WorkMail and WorkSpaces Web and write leases in the process. Any text must be answered without a
//! panic and without a 5xx (the emulator injects no faults here, so a 5xx is the API's own failure).

#![no_main]

use std::sync::LazyLock;

use aws_config::BehaviorVersion;
use aws_sdk_workmail::config::Credentials;
use idp_gateway::http::{AccessControl, Api};
use idp_gateway::lease::{InProcessLeases, LeaseSettings, LeaseStore};
use idp_gateway::workmail::{SdkWorkMail, UpstreamSettings};
use idp_gateway::workspaces_web::SdkWorkSpacesWeb;
use lambda_http::Context;
use libfuzzer_sys::fuzz_target;
use workmail_emulator::Emulator;

struct World {
    runtime: tokio::runtime::Runtime,
    _emulator: Emulator,
    api: Api<SdkWorkMail>,
}

static WORLD: LazyLock<World> = LazyLock::new(|| {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let (emulator, api) = runtime.block_on(async {
        let emulator = Emulator::start().await.expect("the emulator");
        emulator.seed_demo();
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region("us-east-1")
            .endpoint_url(emulator.url())
            .credentials_provider(Credentials::new("AKIDFUZZ", "secret", None, None, "fuzz"))
            .load()
            .await;
        let settings = UpstreamSettings::default();
        let api = Api::new(
            SdkWorkMail::new(&config, &settings),
            SdkWorkSpacesWeb::new(&config, &settings),
            LeaseStore::InProcess(InProcessLeases::new()),
            LeaseSettings::for_operation_timeout(settings.operation_timeout),
            AccessControl::open(),
        );
        (emulator, api)
    });
    World { runtime, _emulator: emulator, api }
});

fuzz_target!(|data: &[u8]| {
    // The runtime hands the handler the invocation's body as text: anything else never arrives.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let world = &*WORLD;
    // As Lambda gives every invocation: its id and the function's ARN (portal ARNs are built
    // from its account and region, those of the emulator's demo portals).
    let mut context = Context::default();
    context.request_id = "fuzz".to_owned();
    context.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api".to_owned();
    let response = world.runtime.block_on(world.api.handle_raw_event(text, context));
    let response = serde_json::to_value(&response).expect("a response serializes");
    let status = response["statusCode"].as_u64().unwrap_or_default();
    assert!((200..500).contains(&status), "status {status}: {response}");
});
