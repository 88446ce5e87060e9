//! The WorkSpaces Secure Browser side (API name WorkSpaces Web), a sibling of `workmail`: the narrow
//! ports the use cases call for a portal's identity provider, their error type, and the AWS SDK
//! adapter on the process's one `SdkConfig`.

mod error;
mod port;
mod sdk;

pub use error::{BrowserOperation, SecureBrowserError, SecureBrowserErrorKind, UpstreamField};
pub use port::{PortalProviderRemoval, PortalProviderStore, StoredContent, StoredProvider};
pub use sdk::SdkWorkSpacesWeb;
