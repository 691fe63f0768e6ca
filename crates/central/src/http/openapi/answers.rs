//! The refusals every operation of a kind can answer, so that the document names every status the
//! server gives.

use serde_json::{Value, json};

/// The refusals every operation of a kind can answer, added where its own annotation does not
/// name them: the credential's (401, 403 for admin operations, 429 for devices), the JSON body's
/// (400, 413, 415, 422), a path's store (404) and the query's (422). All carry `ErrorBody`.
pub fn add_standard_answers(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut() {
            let schemes: Vec<String> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|s| s.keys().cloned())
                .collect();
            let placed = |place: &str| {
                op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == place))
            };
            let mut statuses: Vec<&str> = Vec::new();
            if schemes.iter().any(|s| s == "device") {
                statuses.extend(["401", "429"]);
            }
            if schemes.iter().any(|s| s == "admin") {
                statuses.extend(["401", "403"]);
            }
            if op.get("requestBody").is_some() {
                statuses.extend(["400", "413", "415", "422"]);
            }
            if placed("path") {
                statuses.extend(["404", "422"]);
            }
            if placed("query") {
                statuses.push("422");
            }
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            for status in statuses {
                responses.entry(status).or_insert_with(|| error_response(status));
            }
        }
    }
}

fn error_response(status: &str) -> Value {
    let description = match status {
        "400" => "The body is not well-formed JSON.",
        "401" => "The credential is missing, unknown or revoked.",
        "403" => "A device token cannot do admin operations.",
        "404" => "No such store.",
        "413" => "The body is larger than the server takes.",
        "415" => "The body is not `application/json`.",
        "422" => "A field or parameter is invalid; the message names it.",
        "429" => "Too many requests for this credential; `Retry-After` says when to try again.",
        _ => "Refused.",
    };
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}
