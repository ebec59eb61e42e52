//! Conformance with the upstream Iceberg REST spec: every operation is routed or explicitly listed
//! as not implemented, `/v1/config` advertises exactly the routed set, and the vendored spec is the
//! upstream one.

use std::collections::BTreeSet;

use axum::http::Method;
use pangolin_api::http::docs::ICEBERG_SPEC_JSON;
use pangolin_api::http::iceberg::{ENDPOINTS, NOT_IMPLEMENTED, UNPREFIXED};
use serde_json::Value;

use crate::harness::TestApp;

fn spec_operations() -> BTreeSet<(String, String)> {
    let spec: Value = serde_json::from_str(ICEBERG_SPEC_JSON).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete", "head", "patch"] {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

fn pair(method: &str, path: &str) -> (String, String) {
    (method.to_owned(), path.to_owned())
}

#[test]
fn every_spec_operation_is_routed_or_listed_as_not_implemented() {
    let spec = spec_operations();
    let routed: BTreeSet<_> = ENDPOINTS
        .iter()
        .map(|(m, p)| pair(m, p))
        .chain(UNPREFIXED.iter().map(|(m, p)| pair(m, p)))
        .collect();
    let missing: BTreeSet<_> = NOT_IMPLEMENTED.iter().map(|(m, p, _)| pair(m, p)).collect();
    assert!(routed.is_disjoint(&missing), "routed and listed as missing");
    for operation in &spec {
        assert!(
            routed.contains(operation) || missing.contains(operation),
            "{operation:?} is in the spec but neither routed nor listed in NOT_IMPLEMENTED"
        );
    }
    for operation in routed.iter().chain(&missing) {
        assert!(spec.contains(operation), "{operation:?} is not in the spec");
    }
}

fn concrete(path: &str) -> String {
    path.replace("{prefix}", "default")
        .replace("{namespace}", "ns")
        .replace("{table}", "t")
        .replace("{view}", "v")
        .replace("{plan-id}", "p")
        .replace("{function}", "f")
}

fn is_routing_failure(response: &crate::harness::TestResponse) -> bool {
    response.status.as_u16() == 405
        || response.body["error"]["type"] == "NotFoundException"
        || (response.status.as_u16() == 404 && response.body.is_null())
}

#[tokio::test]
async fn config_advertises_exactly_the_routed_operations() {
    let app = TestApp::new().await;
    // Existing resources, so that HEAD (which has no body to tell a missing route from a missing
    // resource) answers 204.
    app.namespace(&["ns"]).await;
    app.table("ns", "t").await;
    app.post(
        "/v1/default/namespaces/ns/views",
        serde_json::json!({"name": "v", "schema": crate::harness::schema(), "properties": {},
            "view-version": {"version-id": 1, "timestamp-ms": 1, "schema-id": 0, "summary": {},
                "representations": [{"type": "sql", "sql": "select 1", "dialect": "spark"}],
                "default-namespace": ["ns"]}}),
    )
    .await
    .assert_status(200);
    let config = app.get("/v1/config?warehouse=default").await;
    let advertised: BTreeSet<String> = config.body["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = ENDPOINTS.iter().map(|(m, p)| format!("{m} {p}")).collect();
    assert_eq!(advertised, expected);

    // HEAD first: the other probes may drop the resources.
    let mut endpoints = ENDPOINTS.to_vec();
    endpoints.sort_by_key(|(method, _)| *method != "HEAD");
    for (method, path) in endpoints {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (method == Method::POST).then(|| serde_json::json!({}));
        let response = app.send(method.clone(), &concrete(path), body).await;
        assert!(
            !is_routing_failure(&response),
            "{method} {path} is advertised but not routed: {} {}",
            response.status,
            response.text
        );
    }
    for (method, path, _) in NOT_IMPLEMENTED {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let response = app.send(method.clone(), &concrete(path), None).await;
        assert!(
            is_routing_failure(&response),
            "{method} {path} is listed as not implemented but answers {}",
            response.status
        );
    }
}

/// Converts YAML to JSON the way `scripts/vendor-iceberg-spec.py` does (keys become strings).
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => serde_json::to_value(n).unwrap(),
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(yaml_to_json).collect())
        }
        serde_yaml::Value::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        serde_yaml::Value::String(s) => s,
                        other => serde_yaml::to_string(&other).unwrap().trim().to_owned(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

#[test]
fn the_vendored_spec_is_the_shared_upstream_spec() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/spec/rest-catalog-open-api.yaml");
    let text = std::fs::read_to_string(&shared).unwrap_or_else(|e| {
        panic!(
            "cannot read the upstream spec at {} ({e}); it is expected beside the repository",
            shared.display()
        )
    });
    let upstream = yaml_to_json(serde_yaml::from_str(&text).unwrap());
    let vendored: Value = serde_json::from_str(ICEBERG_SPEC_JSON).unwrap();
    assert!(
        upstream == vendored,
        "the vendored spec differs: run python3 scripts/vendor-iceberg-spec.py"
    );
}
