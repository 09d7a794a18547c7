//! The generator's fixtures for bodies, media types, parameter styles and security schemes, on
//! the wire: each call goes to a scripted server on 127.0.0.1 that records the request exactly
//! as it arrived, and the test compares the raw request line, headers and body bytes (and
//! decodes what comes back). A change to any encoding fails here.

#![allow(dead_code, unused_imports)]

#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/bodies/mod.rs"]
mod bodies;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/media/mod.rs"]
mod media;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/ranges/mod.rs"]
mod ranges;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/security/mod.rs"]
mod security;
#[rustfmt::skip]
#[path = "../../codegen/tests/snapshots/styles/mod.rs"]
mod styles;

use codegen_runtime::{Binary, Error, RetryPolicy};
use futures_util::StreamExt as _;
use gtmhub_tests::mock::{RawServer, Reply, response};

/// A server answering every request with `status` and a JSON `body`.
fn serve(status: &str, content_type: &str, body: &[u8]) -> RawServer {
    RawServer::start(vec![Reply::Send(response(
        status,
        &[("content-type", content_type)],
        body,
    ))])
}

fn ok() -> RawServer {
    RawServer::start(vec![Reply::Send(response("204 No Content", &[], b""))])
}

/// The one request the server received: head (lower-cased header names kept as sent) and body.
fn request(server: &RawServer) -> (String, String) {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let (head, body) = requests[0].split_once("\r\n\r\n").expect("a request head");
    (head.to_owned(), body.to_owned())
}

/// The value of a header in a recorded head.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

macro_rules! client {
    ($module:ident, $server:expr) => {
        $module::Client::builder()
            .base_url($server.base_url())
            .allow_insecure_http(true)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .expect("a client")
    };
}

// ---------------------------------------------------------------------------------------------
// Request bodies.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bytes_go_as_they_are_with_their_media_type() {
    let server = ok();
    client!(bodies, server)
        .upload_bytes(vec![0_u8, 1, 2, b'x'])
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert!(head.starts_with("PUT /api/v1/files HTTP/1.1\r\n"), "{head}");
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(header(&head, "content-length").as_deref(), Some("4"));
    assert_eq!(body.as_bytes(), b"\x00\x01\x02x");

    let server = ok();
    client!(bodies, server)
        .upload_image(Binary::new(&b"\x89PNG"[..]))
        .send()
        .await
        .unwrap();
    let (head, _) = request(&server);
    assert_eq!(header(&head, "content-type").as_deref(), Some("image/png"));

    // `*/*`: the caller's content type wins, octet-stream otherwise.
    let server = ok();
    client!(bodies, server)
        .upload_anything()
        .body(Binary::new("{}").content_type("application/x-custom"))
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/x-custom")
    );
    assert_eq!(body, "{}");
}

#[tokio::test]
async fn text_bodies_are_sent_as_text() {
    let server = ok();
    client!(bodies, server)
        .post_note("héllo\nworld")
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert!(
        head.starts_with("POST /api/v1/notes HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(header(&head, "content-type").as_deref(), Some("text/plain"));
    assert_eq!(body, "héllo\nworld");
}

#[tokio::test]
async fn multipart_bodies_have_typed_json_and_file_parts() {
    let server = serve("201 Created", "application/json", br#"{"id":"d1"}"#);
    let document = bodies::types::UploadDocumentBody {
        title: "Q3 \"report\"".to_owned(),
        tags: Some(vec!["a".to_owned(), "b".to_owned()]),
        meta: Some(bodies::types::UploadDocumentBodyMeta { pages: Some(3) }),
        file: Binary::new("%PDF-1.7")
            .file_name("q3.pdf")
            .content_type("application/pdf"),
        attachments: Some(vec![
            Binary::new("one"),
            Binary::new("two").file_name("2.txt"),
        ]),
    };
    let created = client!(bodies, server)
        .upload_document(document)
        .send()
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("d1"));
    let (head, body) = request(&server);
    let content_type = header(&head, "content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("{content_type}"));
    let part = |headers: &str, value: &str| format!("--{boundary}\r\n{headers}\r\n\r\n{value}\r\n");
    let expected = [
        part("Content-Disposition: form-data; name=\"title\"", "Q3 \"report\""),
        part("Content-Disposition: form-data; name=\"tags\"\r\nContent-Type: application/json", r#"["a","b"]"#),
        part("Content-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json", r#"{"pages":3}"#),
        part(
            "Content-Disposition: form-data; name=\"file\"; filename=\"q3.pdf\"\r\nContent-Type: application/pdf",
            "%PDF-1.7",
        ),
        part(
            "Content-Disposition: form-data; name=\"attachments\"; filename=\"attachments\"\r\nContent-Type: application/octet-stream",
            "one",
        ),
        part(
            "Content-Disposition: form-data; name=\"attachments\"; filename=\"2.txt\"\r\nContent-Type: application/octet-stream",
            "two",
        ),
        format!("--{boundary}--\r\n"),
    ]
    .concat();
    assert_eq!(body, expected);
}

#[tokio::test]
async fn form_bodies_nest_objects_in_the_bracket_style() {
    let server = RawServer::start(vec![Reply::Send(response("200 OK", &[], b""))]);
    let charge = bodies::types::CreateChargeBody {
        amount: 2000,
        currency: Some("usd".to_owned()),
        metadata: Some([("order_id".to_owned(), "6735".to_owned())].into()),
        expand: Some(vec!["customer".to_owned(), "invoice".to_owned()]),
        shipping: Some(bodies::types::CreateChargeBodyShipping {
            name: Some("Ada Lovelace".to_owned()),
            address: Some(bodies::types::CreateChargeBodyShippingAddress {
                city: Some("London & Co".to_owned()),
            }),
        }),
    };
    client!(bodies, server)
        .create_charge(charge)
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        body,
        "amount=2000&currency=usd&expand%5B0%5D=customer&expand%5B1%5D=invoice\
         &metadata%5Border_id%5D=6735\
         &shipping%5Baddress%5D%5Bcity%5D=London+%26+Co&shipping%5Bname%5D=Ada+Lovelace"
    );
}

#[tokio::test]
async fn json_variants_and_several_media_types_for_one_body() {
    let server = ok();
    client!(bodies, server)
        .patch_settings(bodies::types::PatchSettingsBody {
            theme: Some("dark".to_owned()),
        })
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert!(
        head.starts_with("PATCH /api/v1/settings HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/merge-patch+json")
    );
    assert_eq!(body, r#"{"theme":"dark"}"#);

    let record = bodies::types::Record {
        name: Some("a b".to_owned()),
        count: Some(2),
    };
    // JSON by default.
    let server = ok();
    client!(bodies, server)
        .create_record(record.clone())
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(body, r#"{"name":"a b","count":2}"#);
    // The caller picks another.
    let server = ok();
    client!(bodies, server)
        .create_record(bodies::CreateRecordBody::Form(record))
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(body, "count=2&name=a+b");
    let server = ok();
    client!(bodies, server)
        .create_record(bodies::CreateRecordBody::Bytes(Binary::new("raw")))
        .send()
        .await
        .unwrap();
    let (head, body) = request(&server);
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(body, "raw");
}

// ---------------------------------------------------------------------------------------------
// Responses.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn binary_responses_come_back_as_bytes_or_a_stream_and_accept_says_what_is_wanted() {
    let pdf = b"%PDF-1.7 \x00\x01 binary".to_vec();
    let server = serve("200 OK", "application/pdf", &pdf);
    let report = client!(media, server)
        .get_report_pdf("r 1")
        .send()
        .await
        .unwrap();
    assert_eq!(report.status().as_u16(), 200);
    assert_eq!(report.into_inner().as_ref(), pdf.as_slice());
    let (head, _) = request(&server);
    assert!(
        head.starts_with("GET /api/v1/reports/r%201.pdf HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(header(&head, "accept").as_deref(), Some("application/pdf"));

    let server = serve("200 OK", "application/pdf", &pdf);
    let streamed = client!(media, server)
        .get_report_pdf("r1")
        .send_stream()
        .await
        .unwrap();
    let mut stream = streamed.into_inner();
    let mut received = Vec::new();
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(received, pdf);
}

#[tokio::test]
async fn a_streamed_download_keeps_to_the_body_cap() {
    let big = vec![b'x'; 64 * 1024];
    let server = RawServer::start(vec![Reply::Send(
        [
            b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                .to_vec(),
            format!("{:x}\r\n", big.len()).into_bytes(),
            big.clone(),
            b"\r\n0\r\n\r\n".to_vec(),
        ]
        .concat(),
    )]);
    let client = media::Client::builder()
        .base_url(server.base_url())
        .allow_insecure_http(true)
        .max_response_bytes(1000)
        .build()
        .unwrap();
    let streamed = client.get_avatar().send_stream().await.unwrap();
    let mut stream = streamed.into_inner();
    let mut failed = None;
    while let Some(chunk) = stream.next().await {
        if let Err(error) = chunk {
            failed = Some(error);
            break;
        }
    }
    assert!(
        matches!(failed, Some(Error::BodyTooLarge { limit: 1000, .. })),
        "{failed:?}"
    );
}

#[tokio::test]
async fn problem_json_errors_text_responses_and_preferred_json() {
    let problem = br#"{"type":"about:blank","title":"Not Found","status":404}"#;
    let server = serve("404 Not Found", "application/problem+json", problem);
    let error = client!(media, server)
        .get_report_pdf("gone")
        .send()
        .await
        .unwrap_err();
    let response = error.response().expect("an error response");
    assert_eq!(response.description(), Some("no such report"));
    let decoded: media::types::Problem = response.json().unwrap();
    assert_eq!(decoded.status, Some(404));

    let server = serve("200 OK", "text/csv", b"a,b\n1,2\n");
    let csv = client!(media, server).export_csv().send().await.unwrap();
    assert_eq!(csv.into_inner(), "a,b\n1,2\n");
    let (head, _) = request(&server);
    assert_eq!(header(&head, "accept").as_deref(), Some("text/csv"));

    let server = serve("200 OK", "application/vnd.status+json", br#"{"ok":true}"#);
    let status = client!(media, server).get_status().send().await.unwrap();
    assert_eq!(status.ok, Some(true));
    let (head, _) = request(&server);
    assert_eq!(
        header(&head, "accept").as_deref(),
        Some("application/vnd.status+json")
    );
}

// ---------------------------------------------------------------------------------------------
// Parameter styles.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_parameter_style_is_encoded_as_rfc_6570_says() {
    let server = ok();
    let point = styles::types::Point {
        x: Some(1),
        y: Some(2),
    };
    client!(styles, server)
        .list_items(
            7,
            vec!["a".to_owned(), "b c".to_owned()],
            "m/1",
            vec!["x".to_owned(), "y".to_owned()],
        )
        .sort(styles::types::Sort::Desc)
        .owner("o&1".to_owned())
        .color(styles::types::ListItemsColor::Unknown("teal".to_owned()))
        .point(point.clone())
        .box_(point.clone())
        .filter(styles::types::ListItemsFilter {
            name: Some("ada".to_owned()),
            age: Some(36),
        })
        .ids(vec![1, 2, 3])
        .words(vec!["hello".to_owned(), "world".to_owned()])
        .levels(vec!["a".to_owned(), "b".to_owned()])
        .each(vec![styles::types::Sort::Asc, styles::types::Sort::Desc])
        .where_(styles::types::ListItemsWhere {
            q: Some("x".to_owned()),
        })
        .x_point(point)
        .x_ids(vec![4, 5])
        .session("s 1")
        .prefs(vec!["dark".to_owned(), "compact".to_owned()])
        .send()
        .await
        .unwrap();
    let (head, _) = request(&server);
    let line = head.lines().next().unwrap();
    assert_eq!(
        line,
        "GET /api/v1/items/7/.a.b%20c/;matrix=m%2F1/x,y\
         ?sort=desc&owner=o%261&color=teal&x=1&y=2&box=x,1,y,2\
         &filter[age]=36&filter[name]=ada&ids=1,2,3&words=hello%20world&levels=a%7Cb\
         &each=asc&each=desc&where=%7B%22q%22%3A%22x%22%7D HTTP/1.1"
    );
    assert_eq!(header(&head, "x-point").as_deref(), Some("x=1,y=2"));
    assert_eq!(header(&head, "x-ids").as_deref(), Some("4,5"));
    assert_eq!(
        header(&head, "cookie").as_deref(),
        Some("session=s%201; prefs=dark,compact")
    );
}

#[tokio::test]
async fn a_path_value_that_would_leave_its_segment_is_refused() {
    let server = ok();
    let error = client!(styles, server)
        .list_items(1, vec!["..".to_owned()], "m", vec!["t".to_owned()])
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_value_outside_its_documented_range_is_refused_before_sending() {
    let server = ok();
    let client = client!(ranges, server);
    let refused = [
        (
            client.get_page(0).send().await,
            "parameter `page` must be at least 1, not 0",
        ),
        (
            client.get_page(1).skip(-1).send().await,
            "parameter `skip` must be at least 0, not -1",
        ),
        (
            client.get_page(1).take(501).send().await,
            "parameter `take` must be at most 500, not 501",
        ),
        (
            client.get_page(1).ratio(1.0).send().await,
            "parameter `ratio` must be less than 1, not 1",
        ),
        (
            client.get_page(1).ratio(f64::NAN).send().await,
            "parameter `ratio` is not a number",
        ),
        (
            client.get_page(1).x_priority(10).send().await,
            "parameter `x-priority` must be at most 9, not 10",
        ),
    ];
    for (result, reason) in refused {
        let error = result.unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("getPage: invalid request: {reason}")
        );
    }
    assert!(
        server.requests().is_empty(),
        "nothing out of range was sent"
    );

    // The bounds themselves are in range.
    client
        .get_page(1)
        .skip(0)
        .take(500)
        .ratio(0.0)
        .x_priority(9)
        .send()
        .await
        .unwrap();
    let (head, _) = request(&server);
    assert!(
        head.starts_with("GET /api/v1/pages/1?skip=0&take=500&ratio=0 HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(header(&head, "x-priority").as_deref(), Some("9"));
}

// ---------------------------------------------------------------------------------------------
// Security schemes.
// ---------------------------------------------------------------------------------------------

const SECRETS: [&str; 6] = [
    "b3arer-TOKEN",
    "h3ader-KEY",
    "qu3ry-KEY",
    "c00kie-KEY",
    "p4ss-WORD",
    "0auth-TOKEN",
];

fn secured(server: &RawServer) -> security::Client {
    security::Client::builder()
        .base_url(server.base_url())
        .allow_insecure_http(true)
        .bearer_auth(SECRETS[0])
        .header_key(SECRETS[1])
        .query_key(SECRETS[2])
        .cookie_key(SECRETS[3])
        .basic_auth("ada", SECRETS[4])
        .oauth(SECRETS[5])
        .build()
        .unwrap()
}

#[tokio::test]
async fn each_operation_sends_the_credentials_its_security_names_and_no_others() {
    type Call = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>>>>;
    type Case = (&'static str, fn(security::Client) -> Call);
    let cases: [Case; 6] = [
        ("getMe", |c| {
            Box::pin(async move { c.get_me().send().await.map(drop) })
        }),
        ("getHealth", |c| {
            Box::pin(async move { c.get_health().send().await.map(drop) })
        }),
        ("useKeys", |c| {
            Box::pin(async move { c.use_keys().send().await.map(drop) })
        }),
        ("useBasic", |c| {
            Box::pin(async move { c.use_basic().send().await.map(drop) })
        }),
        ("useOauth", |c| {
            Box::pin(async move { c.use_oauth().send().await.map(drop) })
        }),
        ("useDigest", |c| {
            Box::pin(async move { c.use_digest().send().await.map(drop) })
        }),
    ];
    for (operation, call) in cases {
        let server = ok();
        call(secured(&server)).await.unwrap();
        let (head, _) = request(&server);
        let line = head.lines().next().unwrap();
        let authorization = header(&head, "authorization");
        let (expected_line, expected_auth, key, cookie) = match operation {
            "getMe" => (
                "GET /api/v1/me HTTP/1.1",
                Some("Bearer b3arer-TOKEN".to_owned()),
                None,
                None,
            ),
            "getHealth" => ("GET /api/v1/health HTTP/1.1", None, None, None),
            "useKeys" => (
                "GET /api/v1/keys?api_key=qu3ry-KEY HTTP/1.1",
                None,
                Some("h3ader-KEY"),
                None,
            ),
            // `ada:p4ss-WORD` in base64.
            "useBasic" => (
                "GET /api/v1/basic HTTP/1.1",
                Some("Basic YWRhOnA0c3MtV09SRA==".to_owned()),
                None,
                None,
            ),
            "useOauth" => (
                "GET /api/v1/oauth HTTP/1.1",
                Some("Bearer 0auth-TOKEN".to_owned()),
                None,
                None,
            ),
            _ => ("GET /api/v1/digest HTTP/1.1", None, None, cookie_none()),
        };
        assert_eq!(line, expected_line, "{operation}");
        assert_eq!(authorization, expected_auth, "{operation}");
        assert_eq!(header(&head, "x-api-key").as_deref(), key, "{operation}");
        assert_eq!(header(&head, "cookie"), cookie, "{operation}");
    }
}

fn cookie_none() -> Option<String> {
    None
}

#[tokio::test]
async fn alternatives_are_tried_in_order_and_missing_credentials_are_named() {
    // Only the cookie key: the second alternative of useKeys.
    let server = ok();
    let client = security::Client::builder()
        .base_url(server.base_url())
        .allow_insecure_http(true)
        .cookie_key("c00kie-KEY")
        .build()
        .unwrap();
    client.use_keys().send().await.unwrap();
    let (head, _) = request(&server);
    assert_eq!(
        header(&head, "cookie").as_deref(),
        Some("session=c00kie-KEY")
    );
    assert_eq!(header(&head, "x-api-key"), None);

    // Nothing set for getMe: refused before sending, naming the setters.
    let server = ok();
    let client = security::Client::builder()
        .base_url(server.base_url())
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let error = client.get_me().send().await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(error.to_string().contains("`bearer_auth()`"), "{error}");
    assert!(server.requests().is_empty());
    // The generic token serves bearer, OAuth2 and OpenID Connect schemes.
    let server = ok();
    let client = security::Client::builder()
        .base_url(server.base_url())
        .allow_insecure_http(true)
        .token("t0ken")
        .build()
        .unwrap();
    client.use_oauth().send().await.unwrap();
    let (head, _) = request(&server);
    assert_eq!(
        header(&head, "authorization").as_deref(),
        Some("Bearer t0ken")
    );
}

#[tokio::test]
async fn credentials_never_show_in_debug_or_errors() {
    let echo = SECRETS.join(" ");
    let server = RawServer::start(vec![Reply::Send(response(
        "401 Unauthorized",
        &[("x-echo", &echo)],
        echo.as_bytes(),
    ))]);
    let client = secured(&server);
    let shown = format!("{client:?}");
    let error = client.use_keys().send().await.unwrap_err();
    let shown = format!("{shown} {error} {error:?}");
    for secret in SECRETS {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // The basic credentials in their encoded form too.
    assert!(!shown.contains("YWRhOnA0c3MtV09SRA"), "{shown}");
}
