//! Amazon WorkSpaces Web (restJson1, signing name `workspaces-web`): the identity-provider and
//! portal operations, path-routed with greedy ARN labels, validated as the model says, answering
//! the modeled errors in restJson1 form.
//!
//! | operation | request | modeled errors the emulator answers |
//! |---|---|---|
//! | CreateIdentityProvider | `POST /identityProviders` | Validation, ResourceNotFound (portal), Conflict (the portal has one; a reused client token) |
//! | GetIdentityProvider | `GET /identityProviders/{identityProviderArn+}` | Validation, ResourceNotFound |
//! | UpdateIdentityProvider | `PATCH /identityProviders/{identityProviderArn+}` | Validation, ResourceNotFound, Conflict (a reused client token; not in the model, so the SDK shows it as unhandled) |
//! | DeleteIdentityProvider | `DELETE /identityProviders/{identityProviderArn+}` | Validation (a missing provider answers `{}`: idempotent) |
//! | ListIdentityProviders | `GET /portals/{portalArn+}/identityProviders` | Validation (a missing portal has none) |
//! | GetPortal | `GET /portals/{portalArn+}` | Validation, ResourceNotFound |
//! | ListPortals | `GET /portals` | Validation |
//!
//! Every operation can also answer AccessDenied (403), Throttling (429, `Retry-After`) and
//! InternalServer (500) through fault rules.

mod errors;
mod operations;
mod routes;
mod state;
mod validation;
mod wire;

pub(crate) use errors::RestError;
pub(crate) use operations::{Request, dispatch};
#[cfg(test)]
pub(crate) use routes::Operation;
pub(crate) use routes::{query_pairs, route};
pub use state::EmulatedIdentityProvider;
pub(crate) use state::{DEFAULT_DISPLAY_NAME, SecureBrowser};
pub(crate) use wire::{check_signature, failure, is_request, success};
