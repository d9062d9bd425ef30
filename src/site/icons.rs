//! Channel icons as inline SVG (24×24, drawn with `currentColor` so they follow the text
//! colour in light, dark and print styles). Other channels get the generic dot.

use crate::spec::{Channel, KnownChannel};

fn path(channel: KnownChannel) -> &'static str {
    use KnownChannel::*;
    match channel {
        Web => {
            r#"<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9M12 3c-2.5 2.6-3.8 5.6-3.8 9s1.3 6.4 3.8 9"/>"#
        }
        Email | Mail => r#"<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3.5 6.5 8.5 6.5 8.5-6.5"/>"#,
        Social => {
            r#"<circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="6" r="2.5"/><circle cx="18" cy="18" r="2.5"/><path d="m8.2 10.8 7.6-3.6M8.2 13.2l7.6 3.6"/>"#
        }
        Search => r#"<circle cx="10.5" cy="10.5" r="6.5"/><path d="m15.5 15.5 5 5"/>"#,
        Ads => r#"<path d="M4 10v4h3l6 4V6L7 10H4z"/><path d="M16.5 9a4 4 0 0 1 0 6M19 6.5a7.5 7.5 0 0 1 0 11"/>"#,
        Phone => {
            r#"<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"/>"#
        }
        Store => {
            r#"<path d="M4 10v10h16V10M3 6l2-3h14l2 3v2a3 3 0 0 1-6 0 3 3 0 0 1-6 0 3 3 0 0 1-6 0z"/><path d="M10 20v-5h4v5"/>"#
        }
        App => r#"<rect x="7" y="2.5" width="10" height="19" rx="2"/><path d="M11 18.5h2"/>"#,
        Chat => r#"<path d="M4 5h16v11H9l-5 4z"/><path d="M8 9.5h8M8 12.5h5"/>"#,
        Sms => r#"<rect x="3" y="4" width="18" height="13" rx="2"/><path d="M8 21l3-4M7 9h10M7 12h6"/>"#,
        Push => r#"<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>"#,
        Video | Tv => {
            r#"<rect x="3" y="5" width="18" height="13" rx="2"/><path d="m10 9 5 2.5-5 2.5z"/><path d="M8 21h8"/>"#
        }
        Print => r#"<path d="M6 3h9l3 3v15H6z"/><path d="M9 10h6M9 13h6M9 16h4"/>"#,
        Event => r#"<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>"#,
        Partner => {
            r#"<circle cx="8" cy="9" r="3"/><circle cx="16" cy="9" r="3"/><path d="M2.5 19a5.5 5.5 0 0 1 11 0M10.5 19a5.5 5.5 0 0 1 11 0"/>"#
        }
        Referral => {
            r#"<path d="M14 4h6v6M20 4l-9 9"/><path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"/>"#
        }
        Radio => {
            r#"<rect x="3" y="8" width="18" height="12" rx="2"/><circle cx="15.5" cy="14" r="3"/><path d="M6 12h4M6 15h4M7 8l10-5"/>"#
        }
        Other => r#"<circle cx="12" cy="12" r="4"/>"#,
    }
}

/// The icon of a channel, decorative (the channel name is always written next to it).
pub fn channel_icon(channel: &Channel) -> String {
    let known = match channel {
        Channel::Known(k) => *k,
        Channel::Custom(_) => KnownChannel::Other,
    };
    format!(
        r#"<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">{}</svg>"#,
        path(known)
    )
}
