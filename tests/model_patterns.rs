//! Property tests: the hand-written parsers accept exactly what the WorkMail model's patterns and
//! lengths accept (with `\d` meaning ASCII digits), on strings generated to sit on both sides of the line.

use idp_gateway::domain::{ApplicationArn, InstanceArn, OrganizationId};
use proptest::prelude::*;
use proptest::string::string_regex;
use regex::Regex;

const ORGANIZATION_ID: &str = "^m-[0-9a-f]{32}$";
const INSTANCE_ARN: &str =
    "^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$";
const APPLICATION_ARN: &str = "^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::[0-9]{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16}$";

fn model_accepts(pattern: &str, length: std::ops::RangeInclusive<usize>, candidate: &str) -> bool {
    let regex = Regex::new(pattern).expect("model pattern");
    length.contains(&candidate.chars().count()) && regex.is_match(candidate)
}

/// Strings that match, strings that nearly match (wrong lengths, case, Unicode digits, neighbouring
/// characters), and arbitrary ones.
fn candidates(matching: &str, near: &str) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => string_regex(matching).expect("generator pattern"),
        5 => string_regex(near).expect("generator pattern"),
        2 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn organization_ids(candidate in candidates("m-[0-9a-f]{32}", "[mM-]{1,3}[0-9a-fA-Fg\\-٣０-９]{29,35}")) {
        prop_assert_eq!(OrganizationId::parse(&candidate).is_ok(), model_accepts(ORGANIZATION_ID, 34..=34, &candidate), "{:?}", candidate);
    }

    #[test]
    fn instance_arns(candidate in candidates(
        "arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9.-]{16}",
        "arn:(aws|aws-cn|aws-iso-c|Aws):(sso|iam):(:|::|:us-east-1:):?instance/(sso|ss)?ins-[a-zA-Z0-9._/é٣-]{14,18}",
    )) {
        prop_assert_eq!(InstanceArn::parse(&candidate).is_ok(), model_accepts(INSTANCE_ARN, 10..=1124, &candidate), "{:?}", candidate);
    }

    #[test]
    fn application_arns(candidate in candidates(
        "arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::[0-9]{12}:application/(sso)?ins-[a-zA-Z0-9.-]{16}/apl-[a-zA-Z0-9]{16}",
        "arn:(aws|aws-iso-b|aws-x):sso:(:|:eu-west-1:)[0-9٣０]{11,13}:application/(sso)?ins-[a-zA-Z0-9.-]{15,17}/(apl|apl-|ap)-?[a-zA-Z0-9.é]{15,17}",
    )) {
        prop_assert_eq!(ApplicationArn::parse(&candidate).is_ok(), model_accepts(APPLICATION_ARN, 10..=1224, &candidate), "{:?}", candidate);
    }
}

/// The generators reach both sides of the line, so the properties above are not vacuous.
#[test]
fn the_generators_produce_accepted_and_refused_strings() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let near = candidates(
        "arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::[0-9]{12}:application/(sso)?ins-[a-zA-Z0-9.-]{16}/apl-[a-zA-Z0-9]{16}",
        "arn:(aws|aws-iso-b|aws-x):sso:(:|:eu-west-1:)[0-9٣０]{11,13}:application/(sso)?ins-[a-zA-Z0-9.-]{15,17}/(apl|apl-|ap)-?[a-zA-Z0-9.é]{15,17}",
    );
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..500 {
        let candidate = near.new_tree(&mut runner).expect("a value").current();
        if model_accepts(APPLICATION_ARN, 10..=1224, &candidate) {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        accepted > 50 && refused > 50,
        "accepted {accepted}, refused {refused}"
    );
}
