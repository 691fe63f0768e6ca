//! v1 only grows: what in a new OpenAPI document would break a client written against the old
//! one — a removed path, operation, parameter, field, schema or enum value, a changed type, or a
//! new required request field or parameter. (No offline breaking-change tool fits here: optic is
//! archived, oasdiff needs a newer Go than Debian's, the others download binaries.)

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Every breaking difference from `old` to `new`, each naming where it is.
pub fn breaking_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let requests = request_schemas(new);
    let empty = Map::new();
    for (path, old_ops) in old["paths"].as_object().unwrap_or(&empty) {
        let Some(new_ops) = new["paths"].get(path) else {
            found.push(format!("path {path} removed"));
            continue;
        };
        for (method, old_op) in old_ops.as_object().unwrap_or(&empty) {
            let at = format!("{} {path}", method.to_uppercase());
            match new_ops.get(method) {
                None => found.push(format!("operation {at} removed")),
                Some(new_op) => operation(&at, old_op, new_op, &mut found),
            }
        }
    }
    let old_schemas = old["components"]["schemas"].as_object().unwrap_or(&empty);
    for (name, old_schema) in old_schemas {
        match new["components"]["schemas"].get(name) {
            None => found.push(format!("schema {name} removed")),
            Some(new_schema) => {
                schema(
                    &format!("schema {name}"),
                    old_schema,
                    new_schema,
                    requests.contains(name),
                    &mut found,
                );
            }
        }
    }
    found
}

fn operation(at: &str, old: &Value, new: &Value, found: &mut Vec<String>) {
    let key = |p: &Value| {
        (p["name"].as_str().unwrap_or("").to_string(), p["in"].as_str().unwrap_or("").to_string())
    };
    let params = |op: &Value| op["parameters"].as_array().cloned().unwrap_or_default();
    let (old_params, new_params) = (params(old), params(new));
    for p in &old_params {
        let (name, place) = key(p);
        match new_params.iter().find(|n| key(n) == key(p)) {
            None => found.push(format!("{at}: parameter {name} ({place}) removed")),
            Some(n) => schema(&format!("{at}: parameter {name}"), &p["schema"], &n["schema"], true, found),
        }
    }
    for n in &new_params {
        let (name, place) = key(n);
        if n["required"] == Value::Bool(true) && !old_params.iter().any(|p| key(p) == key(n)) {
            found.push(format!("{at}: new required parameter {name} ({place})"));
        }
    }
    let body = |op: &Value| op["requestBody"]["content"]["application/json"]["schema"].clone();
    match (body(old), body(new)) {
        (Value::Null, Value::Null) => {}
        (Value::Null, _) if new["requestBody"]["required"] == Value::Bool(true) => {
            found.push(format!("{at}: a required request body added"));
        }
        (Value::Null, _) => {}
        (_, Value::Null) => found.push(format!("{at}: request body removed")),
        (o, n) => schema(&format!("{at}: request body"), &o, &n, true, found),
    }
    let empty = Map::new();
    for (status, response) in old["responses"].as_object().unwrap_or(&empty) {
        let content = |r: &Value| r["content"]["application/json"]["schema"].clone();
        let Some(new_response) = new["responses"].get(status) else { continue };
        let (o, n) = (content(response), content(new_response));
        if !o.is_null() {
            schema(&format!("{at}: response {status}"), &o, &n, false, found);
        }
    }
}

/// `request`: the schema describes what clients send, so a field it newly requires breaks them.
fn schema(at: &str, old: &Value, new: &Value, request: bool, found: &mut Vec<String>) {
    if old.get("$ref").is_some() || new.get("$ref").is_some() {
        if old.get("$ref") != new.get("$ref") {
            found.push(format!("{at}: type changed from {} to {}", describe(old), describe(new)));
        }
        return;
    }
    if types(old) != types(new) {
        found.push(format!("{at}: type changed from {} to {}", describe(old), describe(new)));
        return;
    }
    if let (Some(old_values), Some(new_values)) = (old["enum"].as_array(), new["enum"].as_array()) {
        for v in old_values.iter().filter(|v| !new_values.contains(v)) {
            found.push(format!("{at}: enum value {v} removed"));
        }
    }
    let empty = Map::new();
    let new_props = new["properties"].as_object().unwrap_or(&empty);
    for (name, old_prop) in old["properties"].as_object().unwrap_or(&empty) {
        match new_props.get(name) {
            None => found.push(format!("{at}: field {name} removed")),
            Some(new_prop) => schema(&format!("{at}.{name}"), old_prop, new_prop, request, found),
        }
    }
    if request {
        let required = |s: &Value| -> BTreeSet<String> {
            s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        for name in required(new).difference(&required(old)) {
            found.push(format!("{at}: new required request field {name}"));
        }
    }
    if !old["items"].is_null() {
        schema(&format!("{at}[]"), &old["items"], &new["items"], request, found);
    }
    for key in ["oneOf", "allOf", "anyOf"] {
        let (o, n) = (
            old[key].as_array().cloned().unwrap_or_default(),
            new[key].as_array().cloned().unwrap_or_default(),
        );
        if n.len() < o.len() {
            found.push(format!("{at}: {key} lost {} of its {} variants", o.len() - n.len(), o.len()));
        }
        for (i, (o, n)) in o.iter().zip(&n).enumerate() {
            schema(&format!("{at}.{key}[{i}]"), o, n, request, found);
        }
    }
}

/// `"string"` and `["string", "null"]` as sets.
fn types(schema: &Value) -> BTreeSet<String> {
    match &schema["type"] {
        Value::String(t) => BTreeSet::from([t.clone()]),
        Value::Array(ts) => ts.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
        _ => BTreeSet::new(),
    }
}

fn describe(schema: &Value) -> String {
    schema.get("$ref").map_or_else(|| schema["type"].to_string(), ToString::to_string)
}

/// The component schemas clients send: reachable from a request body.
fn request_schemas(doc: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut todo: Vec<Value> = Vec::new();
    for ops in doc["paths"].as_object().into_iter().flat_map(Map::values) {
        for op in ops.as_object().into_iter().flat_map(Map::values) {
            todo.push(op["requestBody"].clone());
        }
    }
    while let Some(value) = todo.pop() {
        match value {
            Value::Object(map) => {
                if let Some(name) = map.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
                    && names.insert(name.to_string())
                {
                    todo.push(doc["components"]["schemas"][name].clone());
                }
                todo.extend(map.into_iter().map(|(_, v)| v));
            }
            Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::breaking_changes;

    fn doc() -> serde_json::Value {
        json!({
            "paths": {
                "/v1/things": {
                    "get": {
                        "parameters": [{"name": "after", "in": "query", "schema": {"type": "integer"}}],
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
                    },
                    "post": {
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}},
                        "responses": {"200": {}}
                    }
                }
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "integer"},
                    "status": {"type": "string", "enum": ["open", "closed"]}
                }},
                "NewThing": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "note": {"type": ["string", "null"]}
                }}
            }}
        })
    }

    fn changed(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<String> {
        let mut new = doc();
        edit(&mut new);
        breaking_changes(&doc(), &new)
    }

    #[test]
    fn the_same_document_and_growth_break_nothing() {
        assert_eq!(breaking_changes(&doc(), &doc()), Vec::<String>::new());
        let grown = changed(|d| {
            d["paths"]["/v1/more"] = json!({"get": {"responses": {}}});
            d["components"]["schemas"]["Thing"]["properties"]["extra"] = json!({"type": "string"});
            d["components"]["schemas"]["Thing"]["properties"]["status"]["enum"] =
                json!(["open", "closed", "held"]);
            d["components"]["schemas"]["NewThing"]["properties"]["colour"] = json!({"type": "string"});
            d["paths"]["/v1/things"]["get"]["parameters"]
                .as_array_mut()
                .expect("params")
                .push(json!({"name": "limit", "in": "query", "schema": {"type": "integer"}}));
        });
        assert_eq!(grown, Vec::<String>::new());
    }

    fn remove(d: &mut serde_json::Value, pointer: &str, key: &str) {
        d.pointer_mut(pointer).and_then(serde_json::Value::as_object_mut).expect("object").remove(key);
    }

    fn set(d: &mut serde_json::Value, pointer: &str, value: serde_json::Value) {
        *d.pointer_mut(pointer).expect("pointer") = value;
    }

    fn expect_break(edit: impl FnOnce(&mut serde_json::Value), expected: &str) {
        let found = changed(edit);
        assert!(found.iter().any(|f| f.contains(expected)), "expected {expected:?} in {found:?}");
    }

    const GET: &str = "/paths/~1v1~1things/get";
    const THING: &str = "/components/schemas/Thing";
    const NEW_THING: &str = "/components/schemas/NewThing";

    #[test]
    fn removals_are_named() {
        expect_break(|d| remove(d, "/paths", "/v1/things"), "path /v1/things removed");
        expect_break(|d| remove(d, "/paths/~1v1~1things", "post"), "operation POST /v1/things removed");
        expect_break(|d| set(d, &format!("{GET}/parameters"), json!([])), "parameter after (query) removed");
        expect_break(
            |d| set(d, &format!("{GET}/parameters/0/in"), json!("path")),
            "parameter after (query) removed",
        );
        expect_break(
            |d| remove(d, &format!("{THING}/properties"), "status"),
            "schema Thing: field status removed",
        );
        expect_break(
            |d| set(d, &format!("{THING}/properties/status/enum"), json!(["open"])),
            "enum value \"closed\" removed",
        );
        expect_break(|d| remove(d, "/components/schemas", "Thing"), "schema Thing removed");
    }

    #[test]
    fn changed_types_and_new_requirements_are_named() {
        expect_break(|d| set(d, &format!("{THING}/properties/id/type"), json!("string")), "type changed");
        expect_break(
            |d| set(d, &format!("{NEW_THING}/required"), json!(["name", "note"])),
            "new required request field note",
        );
        expect_break(
            |d| {
                d["components"]["schemas"]["NewThing"]["properties"]["colour"] = json!({"type": "string"});
                set(d, &format!("{NEW_THING}/required"), json!(["name", "colour"]));
            },
            "new required request field colour",
        );
        let required_param =
            json!({"name": "store", "in": "query", "required": true, "schema": {"type": "string"}});
        expect_break(
            |d| {
                d["paths"]["/v1/things"]["get"]["parameters"]
                    .as_array_mut()
                    .expect("params")
                    .push(required_param)
            },
            "new required parameter store",
        );
        // A response may come to require a field it always had; a request may not.
        let found = changed(|d| set(d, &format!("{THING}/required"), json!(["id", "status"])));
        assert_eq!(found, Vec::<String>::new());
    }
}
