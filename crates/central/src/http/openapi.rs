//! The OpenAPI document, generated from the handlers and types. `crates/central/openapi.json` is the
//! committed copy; a test fails when they differ. v1 only grows: fields and endpoints are added,
//! never removed or retyped.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{api, devices};

#[derive(OpenApi)]
#[openapi(
    info(title = "storedesk-central", version = "1", description = "Storedesk's central API: stores push outbox events and pull the change feed; admins manage stores, catalog, stock and central-platform orders."),
    paths(
        api::push_events,
        api::changes,
        api::add_store,
        devices::issue_token,
        devices::join,
        devices::claim,
        devices::add_till,
        devices::list_tills,
        api::upsert_products,
        api::receive_stock,
        api::list_stock,
        api::place_order,
        api::list_conflicts,
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description)).build(),
            )
        };
        components.add_security_scheme("device", bearer("A device token of one store (sdt_...)"));
        components.add_security_scheme("admin", bearer("The admin credential"));
    }
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
