//! A real use of the client: list the account's badges, award one, and walk every user page by
//! page, handling the errors a caller should expect.
//!
//! Run with a token and an account id from your Gtmhub settings:
//!
//! ```text
//! GTMHUB_TOKEN=… GTMHUB_ACCOUNT_ID=… cargo run -p gtmhub --example badges [badge-id user-id]
//! ```

use std::time::Duration;

use futures_util::StreamExt as _;
use gtmhub::{Client, Error, RetryPolicy, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (Ok(token), Ok(account_id)) = (
        std::env::var("GTMHUB_TOKEN"),
        std::env::var("GTMHUB_ACCOUNT_ID"),
    ) else {
        eprintln!(
            "set GTMHUB_TOKEN and GTMHUB_ACCOUNT_ID to run this example against the Gtmhub API"
        );
        return Ok(());
    };

    // Built once: the token and the account id go with every request that needs them.
    let client = Client::builder()
        .token(token)
        .account_id(account_id)
        .timeout(Duration::from_secs(20))
        .retry_policy(RetryPolicy::new().max_attempts(4))
        .build()?;

    // A list: the value derefs to the decoded body; status and headers stay available.
    let badges = client.list_badges().send().await?;
    println!(
        "{} badges (HTTP {})",
        badges.total_count.unwrap_or_default(),
        badges.status()
    );
    for badge in badges.items.iter().flatten() {
        println!(
            "- {} ({})",
            badge.name.as_deref().unwrap_or("unnamed"),
            badge.id.as_deref().unwrap_or("?")
        );
    }

    // Award a badge when asked to: a JSON body built from the generated request type.
    let mut args = std::env::args().skip(1);
    if let (Some(badge_id), Some(user_id)) = (args.next(), args.next()) {
        let request = types::AssignBadgeRequest::default()
            .with_badge_id(badge_id)
            .with_assignee_ids(vec![user_id])
            .with_comment("Well deserved!");
        match client.assign_badge(request).send().await {
            Ok(assignment) => println!(
                "assigned, status {}",
                assignment.status.as_deref().unwrap_or("unknown")
            ),
            // Every undocumented or error status keeps its status, headers and body.
            Err(Error::Response(response)) if response.status().as_u16() == 401 => {
                eprintln!("the token was refused: {}", response.body_text());
            }
            Err(error) => return Err(error.into()),
        }
    }

    // Every user, page by page; the stream stops at the total count or an empty page.
    #[allow(
        deprecated,
        reason = "the v1 users endpoint is deprecated in favour of Get Users V2"
    )]
    let users = client.get_users().take(100).stream();
    let mut users = std::pin::pin!(users);
    let mut count = 0_usize;
    while let Some(user) = users.next().await {
        let user = user?;
        count += 1;
        if count <= 5 {
            println!("user {}", user.email.as_deref().unwrap_or("(no email)"));
        }
    }
    println!("{count} users in the account");
    Ok(())
}
