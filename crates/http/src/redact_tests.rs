//! The redactor's encodings and layers, tested on planted secrets.

use super::*;
use base64::Engine as _;

const PLANTED: &str = "Plante-S3cr3t /+=\"x<&>'";

fn masked_everywhere(r: &Redactor, text: &str) -> String {
    let out = r.text(text);
    assert!(!out.contains("S3cr3t"), "{text} -> {out}");
    out
}

#[test]
fn every_encoding_a_server_may_echo_is_masked() {
    let r = Redactor::new([PLANTED.to_owned()]);
    let form: String = url::form_urlencoded::byte_serialize(PLANTED.as_bytes()).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(PLANTED);
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(PLANTED);
    for text in [
        format!("echo={}", form.to_ascii_lowercase()),
        format!("echo={}", lowercase_escapes(&form)),
        format!("{{\"echo\":\"{b64}\"}}"),
        format!("echo {b64url} end"),
        format!("<p>{}</p>", html_forms(PLANTED)[0]),
        format!("<p>{}</p>", html_forms(PLANTED)[1]),
    ] {
        masked_everywhere(&r, &text);
    }
    // Inside a longer base64 value, at each of the three alignments.
    for prefix in ["a:", "ab:", "abc:"] {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{prefix}{PLANTED}"));
        let out = r.text(&format!("Basic {basic}"));
        assert!(out.contains(MASK), "{prefix}: {out}");
        let decoded_rest = out.replace(MASK, "");
        assert!(
            decoded_rest.len() < basic.len() - 2 * "Plante-S3cr3t".len() / 3,
            "most of the encoded secret is masked: {out}"
        );
    }
}

#[test]
fn an_opaque_token_from_a_token_response_is_learnt() {
    let mut r = Redactor::default();
    r.learn_from_response(br#"{"access_token":"opaque-0123456789","token_type":"Bearer"}"#);
    assert_eq!(r.text("obtenu opaque-0123456789"), format!("obtenu {MASK}"));
    let mut r = Redactor::default();
    r.learn_from_request(
        &[("Authorization".into(), "Bearer my-opaque-credential".into())],
        Some(b"grant_type=client_credentials&client_secret=form-s%2Bcret"),
    );
    assert!(!r.text("x my-opaque-credential y").contains("opaque"));
    assert!(!r.text("echo form-s+cret").contains("form-s"));
}

#[test]
fn a_json_secret_field_is_masked_whole_escapes_included() {
    let r = Redactor::default();
    let out = r.text(r#"{"client_secret": "abc\"def-tail", "x": 1}"#);
    assert!(!out.contains("def-tail"), "{out}");
    assert!(out.contains(r#""x": 1"#), "{out}");
}

#[test]
fn a_secret_cut_by_the_evidence_limit_leaves_nothing_visible() {
    let secret = "opaque-token-ABCDEFGHIJKLMNOP";
    let r = Redactor::new([secret.to_owned()]);
    for cut_inside in 1..secret.len() {
        let text = format!("{}{secret} and more", "x".repeat(100 - cut_inside));
        let (out, cut) = r.clipped(&text, 100);
        assert!(cut);
        assert!(!out.contains("opaque-tok"), "{cut_inside}: {out}");
        assert!(!out.contains("ABCD"), "{cut_inside}: {out}");
    }
    // Text under the limit is masked and kept whole.
    assert_eq!(r.clipped(secret, 100), (MASK.to_owned(), false));
    // A mask straddling the cut is kept whole, not cut in two.
    let (out, _) = r.clipped(&format!("{}{secret} tail", "x".repeat(98)), 100);
    assert!(out.ends_with(MASK), "{out}");
}

#[test]
fn clipping_bytes_gives_the_text_clipping_them_all_would() {
    let redactor = Redactor::new(["s3cr3t-value-1234".to_owned()]);
    let max = 100;
    let filler = |n: usize| "a".repeat(n).into_bytes();
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    // Around every end that matters: the cut, the window, the bytes read.
    for len in [
        0,
        50,
        max,
        max + 1,
        max + CLIP_MARGIN - 3,
        max + CLIP_MARGIN + 8,
    ] {
        for tail in [
            &b""[..],
            "é".as_bytes(),
            "🦀".as_bytes(),
            &[0xff, 0xfe],
            &[0xf0, 0x9f],
            b"s3cr3t-value-1234",
        ] {
            for at in [len.saturating_sub(2), len, len + 1] {
                let mut body = filler(at);
                body.extend_from_slice(tail);
                body.extend(filler(len.saturating_sub(at) + 10));
                bodies.push(body);
            }
        }
    }
    for body in bodies {
        assert_eq!(
            redactor.clipped_bytes(&body, max),
            redactor.clipped(&String::from_utf8_lossy(&body), max),
            "{} bytes",
            body.len()
        );
    }
}

#[test]
fn layers_mask_as_one_automaton_would_and_are_merged_past_a_few() {
    let secrets = [
        "abcd1234",
        "1234wxyz9",
        "zzzz",
        "token-one-xyz",
        "token-two-xyz",
        "x&y\"z<1>",
    ];
    let text = "<abcd1234wxyz9> zzzzz token-one-xyz/token-two-xyz x&amp;y&quot;z&lt;1&gt; \
                dG9rZW4tb25lLXh5eg fin";
    let all_at_once = Redactor::new(secrets.iter().map(|s| (*s).to_owned()));
    let mut one_by_one = Redactor::default();
    for (i, secret) in secrets.iter().enumerate() {
        let mut clone = one_by_one.clone();
        clone.add_secret(secret);
        one_by_one = clone;
        assert!(one_by_one.layers.len() <= MAX_LAYERS, "{i}");
    }
    assert_eq!(one_by_one.text(text), all_at_once.text(text));
    assert!(!one_by_one.text(text).contains("token-"));
    // A secret given again adds nothing.
    let layers = one_by_one.layers.len();
    one_by_one.add_secret("zzzz");
    assert_eq!(one_by_one.layers.len(), layers);
}

#[test]
fn clones_adding_the_same_token_share_its_layer_and_mask_it() {
    let run = Redactor::new(["client-secret-1".to_owned()]);
    let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl";
    let (mut first, mut second) = (run.clone(), run.clone());
    first.add_secret(token);
    second.add_secret(token);
    assert!(std::sync::Arc::ptr_eq(&first.layers[1], &second.layers[1]));
    for redactor in [&first, &second] {
        assert_eq!(
            redactor.text(&format!("Bearer {token}")),
            format!("Bearer {MASK}")
        );
    }
    // Another token is another layer; the run's own redactor learnt neither.
    let mut third = run.clone();
    third.add_secret("another-token-value");
    assert!(!std::sync::Arc::ptr_eq(&first.layers[1], &third.layers[1]));
    assert_eq!(run.text("another-token-value"), "another-token-value");
    assert_eq!(third.text("another-token-value"), MASK);
    // Past MAX_BUILT layers it starts again, and still masks.
    for n in 0..2 * MAX_BUILT {
        let mut clone = run.clone();
        let secret = format!("renewed-token-{n}");
        clone.add_secret(&secret);
        assert_eq!(clone.text(&secret), MASK);
        assert!(run.built.lock().map(|b| b.len()).unwrap_or(0) <= MAX_BUILT);
    }
}
