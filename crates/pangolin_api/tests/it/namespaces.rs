use serde_json::json;

use crate::harness::{TestApp, enc};

#[tokio::test]
async fn create_load_exists_and_drop() {
    let app = TestApp::new().await;
    let created = app
        .post(
            "/v1/default/namespaces",
            json!({"namespace": ["sales"], "properties": {"owner": "bi"}}),
        )
        .await;
    created.assert_status(200);
    assert_eq!(
        created.body,
        json!({"namespace": ["sales"], "properties": {"owner": "bi"}})
    );

    let loaded = app.get("/v1/default/namespaces/sales").await;
    loaded.assert_status(200);
    assert_eq!(loaded.body["properties"]["owner"], "bi");
    app.head("/v1/default/namespaces/sales")
        .await
        .assert_status(204);

    app.post("/v1/default/namespaces", json!({"namespace": ["sales"]}))
        .await
        .assert_error(409, "AlreadyExistsException");
    app.get("/v1/default/namespaces/nope")
        .await
        .assert_error(404, "NoSuchNamespaceException");
    let missing = app.head("/v1/default/namespaces/nope").await;
    missing.assert_status(404);

    app.delete("/v1/default/namespaces/sales")
        .await
        .assert_status(204);
    app.delete("/v1/default/namespaces/sales")
        .await
        .assert_error(404, "NoSuchNamespaceException");
}

#[tokio::test]
async fn nested_namespaces_and_listing() {
    let app = TestApp::new().await;
    app.post("/v1/default/namespaces", json!({"namespace": ["a", "b"]}))
        .await
        .assert_error(404, "NoSuchNamespaceException");
    app.namespace(&["a"]).await;
    app.namespace(&["a", "b"]).await;
    app.namespace(&["a", "b", "c"]).await;
    app.namespace(&["z"]).await;

    let top = app.get("/v1/default/namespaces").await;
    top.assert_status(200);
    assert_eq!(top.body["namespaces"], json!([["a"], ["z"]]));
    assert_eq!(top.body["next-page-token"], json!(null));
    let empty_parent = app.get("/v1/default/namespaces?parent=").await;
    assert_eq!(empty_parent.body["namespaces"], json!([["a"], ["z"]]));
    let under_a = app.get("/v1/default/namespaces?parent=a").await;
    assert_eq!(under_a.body["namespaces"], json!([["a", "b"]]));
    let under_ab = app.get("/v1/default/namespaces?parent=a%1Fb").await;
    assert_eq!(under_ab.body["namespaces"], json!([["a", "b", "c"]]));
    app.get("/v1/default/namespaces/a%1Fb%1Fc")
        .await
        .assert_status(200);
    app.get("/v1/default/namespaces?parent=missing")
        .await
        .assert_error(404, "NoSuchNamespaceException");

    app.delete("/v1/default/namespaces/a")
        .await
        .assert_error(409, "NamespaceNotEmptyException");
    app.delete("/v1/default/namespaces/a%1Fb%1Fc")
        .await
        .assert_status(204);
}

#[tokio::test]
async fn a_namespace_with_a_table_is_not_empty() {
    let app = TestApp::new().await;
    app.namespace(&["db"]).await;
    app.table("db", "t").await;
    app.delete("/v1/default/namespaces/db")
        .await
        .assert_error(409, "NamespaceNotEmptyException");
    app.delete("/v1/default/namespaces/db/tables/t")
        .await
        .assert_status(204);
    app.delete("/v1/default/namespaces/db")
        .await
        .assert_status(204);
}

#[tokio::test]
async fn listing_paginates() {
    let app = TestApp::new().await;
    for name in ["e", "d", "c", "b", "a"] {
        app.namespace(&[name]).await;
    }
    let mut token = String::new();
    let mut seen = Vec::new();
    loop {
        let page = app
            .get(&format!(
                "/v1/default/namespaces?pageToken={token}&pageSize=2"
            ))
            .await;
        page.assert_status(200);
        for ns in page.body["namespaces"].as_array().unwrap() {
            seen.push(ns[0].as_str().unwrap().to_owned());
        }
        match page.body["next-page-token"].as_str() {
            Some(next) => token = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);
    app.get("/v1/default/namespaces?pageToken=%21%21&pageSize=2")
        .await
        .assert_error(400, "BadRequestException");
    app.get("/v1/default/namespaces?pageSize=0&pageToken=")
        .await
        .assert_error(400, "BadRequestException");
    app.get("/v1/default/namespaces?pageSize=abc")
        .await
        .assert_error(400, "BadRequestException");
}

#[tokio::test]
async fn update_properties() {
    let app = TestApp::new().await;
    app.post(
        "/v1/default/namespaces",
        json!({"namespace": ["n"], "properties": {"a": "1", "b": "2"}}),
    )
    .await
    .assert_status(200);
    let updated = app
        .post(
            "/v1/default/namespaces/n/properties",
            json!({"updates": {"c": "3"}, "removals": ["a", "zz"]}),
        )
        .await;
    updated.assert_status(200);
    assert_eq!(
        updated.body,
        json!({"updated": ["c"], "removed": ["a"], "missing": ["zz"]})
    );
    let loaded = app.get("/v1/default/namespaces/n").await;
    assert_eq!(loaded.body["properties"], json!({"b": "2", "c": "3"}));

    app.post(
        "/v1/default/namespaces/n/properties",
        json!({"updates": {"b": "x"}, "removals": ["b"]}),
    )
    .await
    .assert_error(422, "UnprocessableEntityException");
    app.post(
        "/v1/default/namespaces/nope/properties",
        json!({"updates": {}}),
    )
    .await
    .assert_error(404, "NoSuchNamespaceException");
}

#[tokio::test]
async fn names_with_dots_spaces_unicode_and_separators() {
    let app = TestApp::new().await;
    let levels = ["a.b", "with space", "ünï/cødé+%"];
    for depth in 1..=levels.len() {
        app.namespace(&levels[..depth]).await;
    }
    let encoded = levels
        .iter()
        .map(|l| enc(l))
        .collect::<Vec<_>>()
        .join("%1F");
    let loaded = app.get(&format!("/v1/default/namespaces/{encoded}")).await;
    loaded.assert_status(200);
    assert_eq!(loaded.body["namespace"], json!(levels));
    let table = "t.1 +x/ÿ";
    app.table(&encoded, table).await;
    let listed = app
        .get(&format!("/v1/default/namespaces/{encoded}/tables"))
        .await;
    assert_eq!(
        listed.body["identifiers"],
        json!([{"namespace": levels, "name": table}])
    );
    app.get(&format!(
        "/v1/default/namespaces/{encoded}/tables/{}",
        enc(table)
    ))
    .await
    .assert_status(200);
    let parent = format!("{}%1F{}", enc(levels[0]), enc(levels[1]));
    let children = app
        .get(&format!("/v1/default/namespaces?parent={parent}"))
        .await;
    assert_eq!(children.body["namespaces"], json!([levels]));
}

#[tokio::test]
async fn unknown_catalog() {
    let app = TestApp::new().await;
    app.get("/v1/nocat/namespaces")
        .await
        .assert_error(404, "NoSuchCatalogException");
    app.post("/v1/nocat/namespaces", json!({"namespace": ["x"]}))
        .await
        .assert_error(404, "NoSuchCatalogException");
}
