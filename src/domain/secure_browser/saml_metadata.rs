//! `SamlMetadata`: a SAML 2.0 IdP metadata document (`MetadataFile`) read with an XML parser that
//! refuses DTDs (so no external or recursive entities), checked for what WorkSpaces Web needs — an
//! `IDPSSODescriptor` with https single sign-on services and signing certificates — and the
//! certificates' subjects and validity read with x509-parser.

use base64::Engine;
use roxmltree::{Document, Node, ParsingOptions};

use super::values::{HttpsUrl, check_detail_length};
use crate::domain::Timestamp;

const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const SAML2_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// The metadata text as given, and the signing certificates found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlMetadata {
    xml: String,
    signing_certificates: Vec<SigningCertificate>,
    /// The `EntityDescriptor`'s `validUntil`, when it has one.
    valid_until: Option<Timestamp>,
}

/// One certificate of a `KeyDescriptor` for signing (or without `use`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningCertificate {
    pub subject: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
}

impl SamlMetadata {
    /// Reads `xml`; every problem found is returned, each a sentence. Validity dates are not judged
    /// here (that depends on when, and on whether the metadata is new or already stored).
    pub(super) fn parse(xml: &str) -> Result<Self, Vec<String>> {
        check_detail_length(xml).map_err(|invalid| vec![invalid.message().to_owned()])?;
        if xml.starts_with('\u{feff}') {
            return Err(vec![
                "starts with a byte order mark (U+FEFF): remove it, the document is sent as UTF-8 text"
                    .to_owned(),
            ]);
        }
        let options = ParsingOptions {
            allow_dtd: false,
            ..ParsingOptions::default()
        };
        let document = Document::parse_with_options(xml, options).map_err(|error| {
            vec![match error {
                roxmltree::Error::DtdDetected => {
                    "must not contain a DTD (<!DOCTYPE ...>): DTDs can \
                     declare entities (external files, exponential expansion) and are refused"
                        .to_owned()
                }
                other => format!("is not well-formed XML: {other}"),
            }]
        })?;
        let root = document.root_element();
        if !is(root, METADATA_NS, "EntityDescriptor") {
            return Err(vec![format!(
                "must be SAML 2.0 metadata: its root element must be EntityDescriptor in namespace \
                 {METADATA_NS}, not {} (an EntitiesDescriptor with several entities is not accepted)",
                describe(root)
            )]);
        }
        let descriptors: Vec<Node> = children(root, METADATA_NS, "IDPSSODescriptor").collect();
        if descriptors.is_empty() {
            return Err(vec![
                "must describe an identity provider: the EntityDescriptor has no IDPSSODescriptor"
                    .to_owned(),
            ]);
        }
        let mut problems = Vec::new();
        let valid_until = root.attribute("validUntil").and_then(|raw| {
            Timestamp::parse(raw)
                .map_err(|_| {
                    problems.push(format!(
                        "EntityDescriptor validUntil '{raw}' is not a date and time with a time zone, such as 2027-01-01T00:00:00Z"
                    ));
                })
                .ok()
        });
        let mut signing_certificates = Vec::new();
        for (index, descriptor) in descriptors.into_iter().enumerate() {
            let at = format!("IDPSSODescriptor {}", index + 1);
            let protocols = descriptor
                .attribute("protocolSupportEnumeration")
                .unwrap_or_default();
            if !protocols
                .split_ascii_whitespace()
                .any(|protocol| protocol == SAML2_PROTOCOL)
            {
                problems.push(format!(
                    "{at}: protocolSupportEnumeration must list {SAML2_PROTOCOL} (WorkSpaces Web speaks SAML 2.0)"
                ));
            }
            check_sign_on_services(descriptor, &at, &mut problems);
            let found = signing_certificate_texts(descriptor);
            if found.is_empty() {
                problems.push(format!(
                    "{at} has no signing certificate: a KeyDescriptor (use=\"signing\" or no use) with \
                     ds:KeyInfo/ds:X509Data/ds:X509Certificate"
                ));
            }
            for (number, text) in found.into_iter().enumerate() {
                match read_certificate(&text) {
                    Ok(certificate) => signing_certificates.push(certificate),
                    Err(reason) => problems.push(format!(
                        "{at}, signing certificate {}: {reason}",
                        number + 1
                    )),
                }
            }
        }
        if problems.is_empty() {
            Ok(Self {
                xml: xml.to_owned(),
                signing_certificates,
                valid_until,
            })
        } else {
            Err(problems)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.xml
    }

    pub fn signing_certificates(&self) -> &[SigningCertificate] {
        &self.signing_certificates
    }

    pub fn valid_until(&self) -> Option<Timestamp> {
        self.valid_until
    }
}

/// Encodings that read a document of ASCII characters only as UTF-8 does.
const ASCII_COMPATIBLE: [&str; 5] = [
    "US-ASCII",
    "ASCII",
    "ISO-8859-1",
    "ISO-8859-15",
    "windows-1252",
];

/// What is wrong with the XML declaration of new metadata: one spelled other than `<?xml` (XML
/// reserves the name in every case; the parser takes it for a processing instruction), or one naming
/// an encoding the text is not in (it travels as UTF-8). Stored metadata is read as it is.
pub(super) fn declaration_problem(xml: &str) -> Option<String> {
    let opening = xml.get(..5)?;
    if !opening.eq_ignore_ascii_case("<?xml")
        || xml[5..].starts_with(|c: char| !c.is_ascii_whitespace() && c != '?')
    {
        return None;
    }
    if opening != "<?xml" {
        return Some(format!(
            "starts with '{opening}': the XML declaration must be written '<?xml' in lower case"
        ));
    }
    let encoding = declared_encoding(xml)?;
    let compatible = encoding.eq_ignore_ascii_case("UTF-8")
        || (xml.is_ascii()
            && ASCII_COMPATIBLE
                .iter()
                .any(|name| name.eq_ignore_ascii_case(encoding)));
    (!compatible).then(|| {
        format!(
            "declares encoding '{encoding}' in its XML declaration, but the document is sent as UTF-8 \
             text: declare encoding=\"UTF-8\" (or none), or a reader that believes the declaration \
             misreads its characters"
        )
    })
}

/// The encoding named by the XML declaration at the start of `xml`, if there is one and it names
/// one; the declaration's syntax has already been checked by the parser.
fn declared_encoding(xml: &str) -> Option<&str> {
    let declaration = xml.strip_prefix("<?xml")?;
    let declaration = &declaration[..declaration.find("?>")?];
    let after_name = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let value = after_name.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    value.get(..value.find(quote)?)
}

fn is(node: Node, namespace: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(namespace)
}

fn describe(node: Node) -> String {
    match node.tag_name().namespace() {
        Some(namespace) => format!("{} in namespace {namespace}", node.tag_name().name()),
        None => format!("{} without a namespace", node.tag_name().name()),
    }
}

fn children<'a, 'input>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children()
        .filter(move |child| is(*child, namespace, name))
}

fn check_sign_on_services(descriptor: Node, at: &str, problems: &mut Vec<String>) {
    let services: Vec<Node> = children(descriptor, METADATA_NS, "SingleSignOnService").collect();
    if services.is_empty() {
        problems.push(format!(
            "{at} has no SingleSignOnService: WorkSpaces Web needs one to send users to sign in"
        ));
    }
    for (index, service) in services.into_iter().enumerate() {
        let number = index + 1;
        if service.attribute("Binding").is_none_or(str::is_empty) {
            problems.push(format!(
                "{at}, SingleSignOnService {number}: has no Binding"
            ));
        }
        match service.attribute("Location") {
            None => problems.push(format!(
                "{at}, SingleSignOnService {number}: has no Location"
            )),
            Some(location) => {
                if let Err(invalid) = HttpsUrl::parse(location) {
                    problems.push(format!(
                        "{at}, SingleSignOnService {number}: Location {}",
                        invalid.message()
                    ));
                }
            }
        }
    }
}

/// The text of every `KeyDescriptor` (signing or without `use`) / `ds:KeyInfo` / `ds:X509Data` /
/// `ds:X509Certificate` of the descriptor.
fn signing_certificate_texts(descriptor: Node) -> Vec<String> {
    children(descriptor, METADATA_NS, "KeyDescriptor")
        .filter(|key| key.attribute("use").is_none_or(|usage| usage == "signing"))
        .flat_map(|key| children(key, DSIG_NS, "KeyInfo"))
        .flat_map(|info| children(info, DSIG_NS, "X509Data"))
        .flat_map(|data| children(data, DSIG_NS, "X509Certificate"))
        .map(|certificate| {
            // Text nodes only: a certificate inside an XML comment is no certificate to a SAML
            // service provider, so it must not be one here either.
            certificate
                .children()
                .filter(|child| child.is_text())
                .filter_map(|child| child.text())
                .collect()
        })
        .collect()
}

fn read_certificate(text: &str) -> Result<SigningCertificate, String> {
    let base64: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| "is not base64 (the DER certificate, whitespace allowed)".to_owned())?;
    let (rest, certificate) = x509_parser::parse_x509_certificate(&der)
        .map_err(|error| format!("is not a DER X.509 certificate ({error})"))?;
    if !rest.is_empty() {
        return Err(format!(
            "has {} bytes after the DER certificate",
            rest.len()
        ));
    }
    let validity = certificate.validity();
    let subject = certificate.subject().to_string();
    Ok(SigningCertificate {
        subject: if subject.is_empty() {
            "(empty subject)".to_owned()
        } else {
            subject
        },
        not_before: Timestamp::from_unix_seconds(validity.not_before.timestamp()),
        not_after: Timestamp::from_unix_seconds(validity.not_after.timestamp()),
    })
}
