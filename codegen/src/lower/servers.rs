//! `servers`: the absolute URLs the API is served at, each with a name the client's `Server`
//! enum uses, so a user picks a region or environment by name instead of pasting its URL.

use super::Cx;
use crate::doc::Node;
use crate::error::Pointer;
use crate::ir::{Docs, Name, Server};
use crate::names::{self, Namespace};

/// Every server with an absolute URL (variables replaced by their defaults), in document order.
/// Relative URLs (`/api/v3`) name no host the client could use on its own and are left out.
pub(crate) fn lower_servers(cx: &mut Cx<'_>) -> Vec<Server> {
    let root = cx.doc.root();
    let at = Pointer::root().join("servers");
    let mut variants = Namespace::default();
    let mut servers = Vec::new();
    for (index, server) in root.items("servers").iter().enumerate() {
        let at = at.join(index.to_string());
        let Some(url) = url_of(server) else {
            cx.sink
                .warn(&at, "a server needs a `url`; this one is left out");
            continue;
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            continue;
        }
        let description = server.str_field("description");
        let mut candidates = Vec::new();
        candidates.extend(cx.rust_name_extension(server, &at));
        candidates.extend(names::server_candidates(description, &url));
        candidates.push(format!("Server{}", index + 1));
        let Some(rust) = variants.claim(candidates) else {
            continue;
        };
        servers.push(Server {
            name: Name {
                rust,
                wire: server.str_field("url").unwrap_or_default().to_owned(),
            },
            url,
            docs: Docs::from_parts([description]),
        });
    }
    servers
}

/// A server's URL with its variables replaced by their defaults, without a trailing slash.
pub(crate) fn url_of(server: &Node) -> Option<String> {
    let mut url = server.str_field("url")?.to_owned();
    for (name, variable) in server.entries("variables") {
        if let Some(default) = variable.get("default") {
            let default = default
                .as_str()
                .map_or_else(|| default.to_string(), str::to_owned);
            url = url.replace(&format!("{{{name}}}"), &default);
        }
    }
    Some(url.trim_end_matches('/').to_owned())
}
