//! The query string of a request, read into `Query` with the parameters its route knows; any other
//! parameter is refused (a misspelt `?dryrun=true` must not become a real write).

use super::RequestError;
use super::error::ParameterProblem;

/// What the query asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query {
    /// `dryRun=true`: validate and answer what would change, write nothing.
    pub dry_run: bool,
}

/// Reads `raw` (the URI's query, undecoded), knowing only the parameters in `known`. Every problem
/// is reported, each naming its parameter.
pub fn parse_query(raw: Option<&str>, known: &[&str]) -> Result<Query, RequestError> {
    let mut problems = Vec::new();
    let mut dry_run = Vec::new();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if !known.contains(&name.as_ref()) {
            let message = if known.is_empty() {
                "is not a known query parameter; this route takes none".to_owned()
            } else {
                format!(
                    "is not a known query parameter; this route takes: {} (names are case-sensitive)",
                    known.join(", ")
                )
            };
            problems.push(ParameterProblem {
                name: name.into_owned(),
                message,
            });
        } else if name == "dryRun" {
            dry_run.push(value.into_owned());
        }
    }
    let dry_run = match dry_run
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["false"] => false,
        ["true"] => true,
        _ => {
            problems.push(ParameterProblem {
                name: "dryRun".to_owned(),
                message: "must be given once, as true or false".to_owned(),
            });
            false
        }
    };
    if problems.is_empty() {
        Ok(Query { dry_run })
    } else {
        Err(RequestError::InvalidQuery(problems))
    }
}

/// Every value of the parameter `name` in `raw`, decoded, in order: for the parameters a route reads
/// beyond `dryRun`, once `parse_query` has admitted the query.
pub fn values(raw: Option<&str>, name: &str) -> Vec<String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str, known: &[&str]) -> Vec<String> {
        match parse_query(Some(raw), known) {
            Err(RequestError::InvalidQuery(problems)) => {
                problems.into_iter().map(|problem| problem.name).collect()
            }
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn known_parameters_are_read() {
        assert_eq!(parse_query(None, &[]).ok(), Some(Query::default()));
        assert_eq!(parse_query(Some(""), &[]).ok(), Some(Query::default()));
        assert_eq!(
            parse_query(Some("dryRun=true"), &["dryRun"]).ok(),
            Some(Query { dry_run: true })
        );
        assert_eq!(
            parse_query(Some("dryRun=false"), &["dryRun"]).ok(),
            Some(Query { dry_run: false })
        );
    }

    #[test]
    fn unknown_and_misspelt_parameters_are_refused_by_name() {
        for misspelt in ["dryrun", "DryRun", "dry_run", "dryRun ", ""] {
            assert_eq!(
                refused(&format!("{misspelt}=true"), &["dryRun"]),
                [misspelt],
                "{misspelt}"
            );
        }
        assert_eq!(refused("dryRun=true", &[]), ["dryRun"]);
        assert_eq!(
            refused("a=1&dryRun=maybe&b", &["dryRun"]),
            ["a", "b", "dryRun"]
        );
        assert_eq!(refused("dryRun=true&dryRun=true", &["dryRun"]), ["dryRun"]);
    }

    #[test]
    fn values_are_decoded_in_order() {
        assert_eq!(values(Some("a=1&b=x%2By&a=%20"), "a"), ["1", " "]);
        assert_eq!(values(Some("b=x%2By+z"), "b"), ["x+y z"]);
        assert!(values(None, "a").is_empty());
    }
}
