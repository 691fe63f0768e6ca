//! The OpenAPI document, generated from the handlers and types. `crates/central/openapi.json` is the
//! committed copy; a test fails when they differ. v1 only grows: fields and endpoints are added,
//! never removed or retyped. Beside what utoipa derives: the refusals every operation can answer
//! (`answers`) and the events a device pushes, with their bounds (`events`).

mod answers;
mod events;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{api, devices, staff};

#[derive(OpenApi)]
#[openapi(
    info(title = "storedesk-central", version = "1", description = "Storedesk's central API: stores push outbox events and pull the change feed; admins manage stores, catalog, stock and central-platform orders."),
    paths(
        api::push_events,
        api::changes,
        api::snapshot,
        staff::listing,
        staff::upload,
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
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    answers::add_standard_answers(&mut doc);
    events::add_event_schemas(&mut doc);
    let mut json = serde_json::to_string_pretty(&doc).unwrap_or_default();
    json.push('\n');
    json
}
