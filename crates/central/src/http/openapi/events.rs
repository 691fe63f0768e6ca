//! The events a device pushes (`POST /v1/events`), described from the domain's own names and
//! bounds: the envelope (`event_id`, `aggregate`, `aggregate_seq` from 1, `created_at`) with one
//! `kind` and its `payload`. Quantities are 1 to `MAX_QTY`, an adjustment's delta at most
//! `MAX_ADJUST` either way, amounts are minor units as strings, prices and payments never
//! negative. An event that breaks these is refused with the whole request (422, naming the field).
//! (The envelope is read by a hand-written deserializer, so it is described here by hand too;
//! schemathesis, run against the server in the test command, keeps the two honest.)

use serde_json::{Map, Value, json};
use storedesk_domain::line::MAX_QTY;
use storedesk_domain::stock::MAX_ADJUST;
use storedesk_domain::{AdjustReason, Channel, EventKind, Named, PaymentMethod};

use crate::service::events::MAX_BATCH;

/// Adds `Event` and its parts to the components and makes `PushRequest.events` a list of them.
pub fn add_event_schemas(doc: &mut Value) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for (name, schema) in parts() {
        schemas.insert(name.to_string(), schema);
    }
    schemas.insert("Event".into(), event());
    if let Some(events) = schemas.get_mut("PushRequest").and_then(|p| p.pointer_mut("/properties/events")) {
        *events = json!({
            "type": "array",
            "items": {"$ref": "#/components/schemas/Event"},
            "minItems": 1,
            "maxItems": MAX_BATCH,
            "description": "The events, oldest first; at most this many per push, each event id once."
        });
    }
}

fn names<T: Named>() -> Vec<&'static str> {
    T::ALL.iter().map(|v| v.name()).collect()
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Minor units as a string; `unsigned` when the server refuses a negative amount.
fn minor(unsigned: bool, description: &str) -> Value {
    let pattern = if unsigned { r"^\+?[0-9]+$" } else { r"^[+-]?[0-9]+$" };
    json!({"type": "string", "pattern": pattern, "description": description})
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

fn sku() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 64, "description": "No blanks or `=` inside."})
}

fn qty() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_QTY})
}

fn text() -> Value {
    json!({"type": "string"})
}

fn optional_text() -> Value {
    json!({"type": ["string", "null"]})
}

fn parts() -> Vec<(&'static str, Value)> {
    let line = object(
        &["sku", "qty", "unit_price_minor"],
        json!({"sku": sku(), "qty": qty(), "unit_price_minor": minor(true, "The unit price, minor units.")}),
    );
    let payment = object(
        &["method", "amount_minor"],
        json!({"method": {"type": "string", "enum": names::<PaymentMethod>()}, "amount_minor": minor(true, "Minor units.")}),
    );
    let sku_qty = object(&["sku", "qty"], json!({"sku": sku(), "qty": qty()}));
    vec![("EventLine", line), ("EventPayment", payment), ("EventSkuQty", sku_qty)]
}

/// The payload of each kind.
fn payload(kind: EventKind) -> Value {
    let order_id = json!({"type": "string", "description": "The order's UUID."});
    let at = json!({"type": "string", "description": "When it happened on the till (RFC 3339)."});
    let lines = json!({"type": "array", "items": schema_ref("EventLine"), "minItems": 1});
    let currency = json!({"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217."});
    let total = minor(false, "Exactly the sum of the lines' quantity x unit price.");
    match kind {
        EventKind::OrderPlaced => object(
            &["order_id", "number", "channel", "currency", "total_minor", "lines", "at"],
            json!({"order_id": order_id, "number": text(), "channel": {"type": "string", "enum": names::<Channel>()},
                   "currency": currency, "total_minor": total, "lines": lines, "customer": optional_text(), "at": at}),
        ),
        EventKind::OrderPaid => object(
            &["order_id", "payment", "at"],
            json!({"order_id": order_id, "payment": schema_ref("EventPayment"), "at": at}),
        ),
        EventKind::CounterSale => object(
            &["order_id", "number", "currency", "total_minor", "lines", "payments", "at"],
            json!({"order_id": order_id, "number": text(), "currency": currency, "total_minor": total, "lines": lines,
                   "payments": {"type": "array", "items": schema_ref("EventPayment"),
                                "description": "Adding up to the total."},
                   "customer": optional_text(), "at": at}),
        ),
        EventKind::OrderShipped => {
            object(&["order_id", "at"], json!({"order_id": order_id, "tracking": optional_text(), "at": at}))
        }
        EventKind::OrderDelivered => object(&["order_id", "at"], json!({"order_id": order_id, "at": at})),
        EventKind::OrderCancelled => {
            object(&["order_id", "at"], json!({"order_id": order_id, "reason": optional_text(), "at": at}))
        }
        EventKind::OrderRefunded => object(
            &["order_id", "restock", "at"],
            json!({"order_id": order_id, "restock": {"type": "array", "items": schema_ref("EventSkuQty")},
                   "reason": optional_text(), "at": at}),
        ),
        EventKind::StockAdjusted => object(
            &["sku", "delta", "reason", "at"],
            json!({"sku": sku(),
                   "delta": {"type": "integer", "format": "int64", "minimum": -MAX_ADJUST, "maximum": MAX_ADJUST,
                             "description": "Not 0; a receipt adds, damage removes, a count goes either way."},
                   "reason": {"type": "string", "enum": names::<AdjustReason>()}, "note": optional_text(), "at": at}),
        ),
    }
}

/// One event: the envelope and one of the kinds with its payload.
fn event() -> Value {
    let variants: Vec<Value> = EventKind::ALL
        .iter()
        .map(|&kind| {
            let mut properties = Map::new();
            properties.insert("event_id".into(), json!({"type": "string", "description": "A UUID (v7) the till chose; central answers a repeat as a duplicate."}));
            properties.insert("aggregate".into(), json!({"type": "string", "description": "`order:<order id>` or `stock:<sku>`."}));
            properties.insert("aggregate_seq".into(), json!({"type": "integer", "format": "int64", "minimum": 1, "description": "1, 2, 3, ... per till and aggregate."}));
            properties.insert("created_at".into(), json!({"type": "string", "description": "RFC 3339."}));
            properties.insert("traceparent".into(), json!({"type": "string", "maxLength": 55, "description": "The W3C trace context of the step that made the event, when the till exports traces; central links its span for the event to it (a malformed one is ignored)."}));
            properties.insert("kind".into(), json!({"type": "string", "enum": [kind.name()]}));
            properties.insert("payload".into(), payload(kind));
            json!({
                "type": "object",
                "title": kind.name(),
                "required": ["event_id", "aggregate", "aggregate_seq", "created_at", "kind", "payload"],
                "properties": properties
            })
        })
        .collect();
    json!({"description": "An outbox event of a till.", "oneOf": variants})
}
