//! Deterministic generator of realistic analytics exports.
//!
//! ```text
//! cargo run --release --example gen_data -- example example-journey/data
//!     regenerates the example project's data (events.csv, b2b-metrics.csv); its web pages
//!     are one `page_view` event told apart by `page_location`, as PostHog exports them
//! cargo run --release --example gen_data -- events USERS SEED OUT.csv[.gz]
//!     a 5-stage purchase export for benchmarks (~3.8 events per user)
//! cargo run --release --example gen_data -- feedback example-journey/data
//!     the example's surveys (post-purchase NPS, delivery CSAT), answered by the buyers of
//!     DIR/events.csv a few days after their orders
//! ```
//!
//! The same inputs always give byte-identical files: the only randomness is a seeded
//! SplitMix64, and rows are written in a fixed order.

use std::io::{BufWriter, Write};
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo) as u64) as i64
    }
    /// Exponential delay with the given mean, in seconds.
    fn delay(&mut self, mean: f64) -> i64 {
        (-(1.0 - self.f()).ln() * mean) as i64 + 1
    }
    fn pick<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.f() * total;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

const START: i64 = 1_767_571_200; // 2026-01-05T00:00:00Z, a Monday
const DAYS: i64 = 84; // twelve weeks
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

struct Row {
    t: i64,
    event: &'static str,
    segment: &'static str,
    revenue: Option<f64>,
}

/// One simulated customer: a non-linear path through awareness → consideration →
/// purchase → retention → advocacy, with drop-offs, re-entries, returns to earlier
/// touchpoints (back to the blog, back to the reviews from the cart), skipped stages
/// (direct visits, buying straight from an ad), channel switches (web to store), repeat
/// purchases, competitor temptation (long pauses) and noise events no touchpoint maps.
fn simulate_user(rng: &mut Rng, rows: &mut Vec<Row>) {
    let segment: &'static str = if rng.chance(0.03) {
        ""
    } else {
        let device: &&'static str = rng.pick(&[("mobile", 0.55), ("desktop", 0.35), ("tablet", 0.10)]);
        device
    };
    let mut t = START + rng.range(0, DAYS * 86_400);
    let push = |rows: &mut Vec<Row>, t: i64, event: &'static str, revenue: Option<f64>| {
        rows.push(Row {
            t,
            event,
            segment,
            revenue,
        })
    };
    // Some users arrive directly (bookmark, word of mouth): no awareness event.
    let direct = rng.chance(0.06);
    if !direct {
        let first = *rng.pick(&[("ad_click", 0.42), ("social_ad_click", 0.33), ("blog_view", 0.25)]);
        push(rows, t, first, None);
        if rng.chance(0.3) {
            push(rows, t + rng.delay(300.0), "page_scroll", None);
        }
        if rng.chance(0.33) {
            return; // lack of motivation: never goes further
        }
        if rng.chance(0.12) {
            // re-enters through another ad later
            t += rng.delay(3.0 * DAY);
            push(rows, t, "ad_click", None);
        }
        if first == "ad_click" && rng.chance(0.03) {
            // A promotion's "buy now" link: straight to the checkout, consideration skipped.
            t += rng.delay(600.0);
            let amount = (rng.range(2500, 9000) as f64) / 100.0;
            push(rows, t, "checkout_completed", Some(amount));
            return;
        }
    }
    let mean = if rng.chance(0.8) { 0.5 * HOUR } else { 4.0 * DAY };
    t += rng.delay(mean);
    let consider = *rng.pick(&[("product_view", 0.7), ("reviews_view", 0.15), ("store_visit", 0.15)]);
    push(rows, t, consider, None);
    if rng.chance(0.5) {
        t += rng.delay(900.0);
        push(rows, t, "product_view", None);
    }
    if consider == "product_view" && rng.chance(0.12) {
        // Back to the blog to compare, then back to the product.
        t += rng.delay(1200.0);
        push(rows, t, "blog_view", None);
        t += rng.delay(900.0);
        push(rows, t, "product_view", None);
    }
    if rng.chance(0.4) {
        t += rng.delay(600.0);
        push(rows, t, "reviews_view", None);
    }
    if rng.chance(0.4) {
        push(rows, t + rng.delay(120.0), "page_scroll", None);
    }
    if rng.chance(0.58) {
        return; // bad experience or temptation by a competitor
    }
    t += rng.delay(0.3 * HOUR);
    // Some web shoppers go to try the shoes on in a store and buy there.
    let consider = if consider != "store_visit" && rng.chance(0.08) {
        t += rng.delay(DAY);
        push(rows, t, "store_visit", None);
        "store_visit"
    } else {
        consider
    };
    if consider != "store_visit" {
        push(rows, t, "add_to_cart", None);
        if rng.chance(0.15) {
            // Second thoughts: back to the reviews (and the product) before paying.
            t += rng.delay(600.0);
            push(rows, t, "reviews_view", None);
            if rng.chance(0.5) {
                t += rng.delay(300.0);
                push(rows, t, "product_view", None);
            }
        }
        // Paying on a phone is harder (the form, the card): carts are abandoned more there.
        let abandon = match segment {
            "mobile" => 0.42,
            "desktop" => 0.27,
            _ => 0.35,
        };
        if rng.chance(abandon) {
            return; // abandoned cart
        }
    }
    // Competitor temptation: some buyers pause for weeks (outside a 30-day window).
    t += if rng.chance(0.08) {
        rng.delay(35.0 * DAY)
    } else {
        rng.delay(2.0 * HOUR)
    };
    let in_store = consider == "store_visit";
    let order = |rng: &mut Rng, rows: &mut Vec<Row>, t: i64| {
        let amount = (rng.range(2500, 16000) as f64) / 100.0;
        push(
            rows,
            t,
            if in_store {
                "store_purchase"
            } else {
                "checkout_completed"
            },
            Some(amount),
        );
    };
    order(rng, rows, t);
    if rng.chance(0.8) {
        push(rows, t + rng.delay(2.0 * HOUR), "order_email_open", None);
    }
    if rng.chance(0.35) {
        push(rows, t + rng.delay(2.0 * DAY), "delivery_sms_click", None);
    }
    let mut last = t;
    while rng.chance(0.28) {
        last += rng.delay(18.0 * DAY);
        push(rows, last, "app_open", None);
        if rng.chance(0.55) {
            let at = last + rng.delay(HOUR);
            order(rng, rows, at);
        }
    }
    if rng.chance(0.15) {
        push(rows, t + rng.delay(9.0 * DAY), "review_posted", None);
    }
    if rng.chance(0.05) {
        push(rows, t + rng.delay(12.0 * DAY), "referral_sent", None);
    }
    if rng.chance(0.07) {
        push(rows, t + rng.delay(5.0 * DAY), "social_share", None);
    }
    if rng.chance(0.1) {
        push(rows, t + rng.delay(DAY), "newsletter_signup", None);
    }
}

fn format_time(t: i64, out: &mut String) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // civil_from_days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
}

const MODELS: [&str; 5] = ["aero-3", "kids-run", "pro-race", "street-90", "trail-x"];
const BLOG: [&str; 4] = [
    "choosing-your-first-running-shoes",
    "how-to-lace-for-wide-feet",
    "marathon-training-week-1",
    "trail-or-road",
];

fn user_id(rng: &mut Rng) -> String {
    format!("{:012x}", rng.next() >> 16)
}

/// Writes `users` simulated customers. Rows are shuffled within day-sized buckets, as
/// exports come roughly but not exactly in time order. With `until`, rows after that time
/// are left out, like an export covering a fixed date range.
/// With `pages`, the blog, product and review views are written as PostHog writes them:
/// one `page_view` event and the page's URL in a `page_location` column.
fn write_events(users: u64, seed: u64, until: Option<i64>, pages: bool, out: &mut dyn Write) -> std::io::Result<u64> {
    let mut rng = Rng(seed);
    writeln!(
        out,
        "distinct_id,timestamp,event,segment,revenue{}",
        if pages { ",page_location" } else { "" }
    )?;
    let mut line = String::with_capacity(128);
    let mut rows = Vec::new();
    let mut count = 0;
    let mut buffer: Vec<(i64, u64, String)> = Vec::new();
    // Process users in blocks so memory stays bounded for large exports.
    let block = 10_000;
    let mut done = 0;
    while done < users {
        let n = block.min(users - done);
        buffer.clear();
        for _ in 0..n {
            let id = user_id(&mut rng);
            rows.clear();
            simulate_user(&mut rng, &mut rows);
            // The shoe this user looks at, and whether an ad brought them to its page.
            let model = MODELS[rng.range(0, MODELS.len() as i64) as usize];
            let mut from_ad = rows.first().is_some_and(|r| r.event == "ad_click");
            for r in rows.iter().filter(|r| until.is_none_or(|u| r.t < u)) {
                line.clear();
                line.push_str(&id);
                line.push(',');
                format_time(r.t, &mut line);
                line.push(',');
                let page = match r.event {
                    "blog_view" if pages => Some(format!(
                        "https://shop.example/blog/{}",
                        BLOG[rng.range(0, BLOG.len() as i64) as usize]
                    )),
                    "product_view" if pages => {
                        let utm = if std::mem::take(&mut from_ad) {
                            "?utm_source=google"
                        } else {
                            ""
                        };
                        Some(format!("https://shop.example/products/{model}{utm}"))
                    }
                    "reviews_view" if pages => Some(format!("https://shop.example/reviews/{model}")),
                    _ => None,
                };
                line.push_str(if page.is_some() { "page_view" } else { r.event });
                line.push(',');
                line.push_str(r.segment);
                line.push(',');
                if let Some(v) = r.revenue {
                    use std::fmt::Write as _;
                    let _ = write!(line, "{v:.2}");
                }
                if pages {
                    line.push(',');
                    line.push_str(page.as_deref().unwrap_or(""));
                }
                buffer.push((r.t / 86_400, rng.next(), line.clone()));
            }
        }
        buffer.sort();
        for (_, _, l) in &buffer {
            out.write_all(l.as_bytes())?;
            out.write_all(b"\n")?;
            count += 1;
        }
        done += n;
    }
    Ok(count)
}

/// The B2B lead journey's weekly aggregates (`date,key,metric,value`).
fn write_b2b_metrics(seed: u64, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    writeln!(out, "date,key,metric,value")?;
    for week in 0..12 {
        let date = {
            let mut s = String::new();
            format_time(START + week * 7 * 86_400, &mut s);
            s[..10].to_string()
        };
        let trend = 1.0 + week as f64 * 0.02;
        let noise = |rng: &mut Rng, base: f64| (base * trend * (0.85 + 0.3 * rng.f())).round();
        let discovery = noise(&mut rng, 2400.0);
        let expertise = (discovery * (0.24 + 0.04 * rng.f())).round();
        let trust = (expertise * (0.27 + 0.05 * rng.f())).round();
        let offer = (trust * (0.30 + 0.08 * rng.f())).round();
        let mut rows: Vec<(&str, &str, String)> = vec![
            ("discovery", "users", format!("{discovery}")),
            ("expertise", "users", format!("{expertise}")),
            ("trust", "users", format!("{trust}")),
            ("offer", "users", format!("{offer}")),
            ("linkedin-post", "impressions", format!("{}", noise(&mut rng, 48_000.0))),
            ("linkedin-post", "ctr", format!("{:.4}", 0.006 + 0.004 * rng.f())),
            ("seo-article", "sessions", format!("{}", noise(&mut rng, 1500.0))),
            ("whitepaper", "downloads", format!("{}", noise(&mut rng, 260.0))),
            ("webinar", "attendees", format!("{}", noise(&mut rng, 70.0))),
            ("webinar", "satisfaction", format!("{:.2}", 3.6 + 1.0 * rng.f())),
            ("newsletter", "open_rate", format!("{:.4}", 0.19 + 0.08 * rng.f())),
            ("case-study", "views", format!("{}", noise(&mut rng, 420.0))),
            ("sales-call", "calls", format!("{}", noise(&mut rng, 55.0))),
            (
                "sales-call",
                "duration",
                format!("{}", (1200.0 + 900.0 * rng.f()).round()),
            ),
            ("proposal", "proposals_sent", format!("{offer}")),
            ("proposal", "win_rate", format!("{:.4}", 0.22 + 0.14 * rng.f())),
        ];
        if week == 6 {
            // A metric nobody declared yet: shows the "undeclared metric" warning path.
            rows.push(("webinar", "no_shows", format!("{}", noise(&mut rng, 30.0))));
        }
        for (key, metric, value) in rows {
            writeln!(out, "{date},{key},{metric},{value}")?;
        }
    }
    Ok(())
}

/// Survey comments by score band, in English and French (the shop sells in both).
const NPS_LOW: &[&str] = &[
    "Delivery costs shown late, only at the very last step.",
    "Les frais de livraison apparaissent trop tard, j'ai failli abandonner.",
    "Why do I have to create an account just to buy one pair?",
    "Obligé de créer un compte pour commander, c'est pénible.",
    "Shipping cost was a bad surprise at checkout.",
    "Frais de port découverts au paiement, dommage.",
    "Taille trop petite, le guide des tailles ne m'a pas aidée.",
    "",
];
const NPS_MID: &[&str] = &[
    "Good shoes, but the delivery cost could be clearer.",
    "Bon site, mais pourquoi un compte obligatoire ?",
    "Fine overall. Checkout was a bit long.",
    "Correct, livraison un peu lente.",
    "",
    "",
];
const NPS_HIGH: &[&str] = &[
    "Great advice in the blog, the shoes are perfect for my first 10k!",
    "Super conseils en magasin, je recommande.",
    "Fast and easy, I'll buy again.",
    "Très contente de mes chaussures, rien à redire.",
    "Loved the size finder, first pair that fits.",
    "",
    "",
];
const CSAT_LOW: &[&str] = &[
    "The delivery SMS arrived after the parcel.",
    "SMS de livraison reçu trop tard, colis déjà déposé.",
    "Parcel left at the door without any notice, too late to change the slot.",
    "",
];
const CSAT_HIGH: &[&str] = &[
    "Delivered on time, well packed.",
    "Livraison rapide, rien à dire.",
    "The courier called before coming, perfect.",
    "",
    "",
];

/// `YYYY-MM-DDTHH:MM:SSZ` → Unix seconds.
fn parse_time(s: &str) -> Option<i64> {
    let n = |a: usize, b: usize| s.get(a..b)?.parse::<i64>().ok();
    let (y, m, d) = (n(0, 4)?, n(5, 7)?, n(8, 10)?);
    let (hh, mm, ss) = (n(11, 13)?, n(14, 16)?, n(17, 19)?);
    // days_from_civil (Howard Hinnant)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// A CSV field: quoted when it holds a comma or a quote.
fn field(s: &str) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The example's surveys, from the orders of `events.csv`: a post-purchase NPS (a third of
/// the buyers answer, 1–4 days after each order, about the touchpoint they bought at) and
/// a delivery CSAT (a quarter of the online orders, 2–6 days after). Online buyers meet the
/// pain points of the journey (delivery costs shown late, a forced account) more often than
/// store buyers; answers past the export's end are left out.
fn write_feedback(dir: &Path, seed: u64) -> std::io::Result<(u64, u64)> {
    let events = std::fs::read_to_string(dir.join("events.csv"))?;
    let mut orders: Vec<(String, i64, &'static str)> = Vec::new();
    let mut first_online: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut rows: Vec<(i64, &str, &str)> = Vec::new();
    for line in events.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let (Some(t), Some(e)) = (f.get(1).and_then(|t| parse_time(t)), f.get(2)) {
            rows.push((t, f[0], e));
        }
    }
    // Time order (ties: file order): the first online order of a user is the checkout.
    rows.sort_by_key(|r| r.0);
    for (t, user, e) in rows {
        let tp = match e {
            "checkout_completed" if first_online.insert(user.to_string()) => "checkout",
            "checkout_completed" => "repeat-checkout",
            "store_purchase" => "store-till",
            _ => continue,
        };
        orders.push((user.to_string(), t, tp));
    }
    let end = START + DAYS * 86_400;
    let mut rng = Rng(seed);
    let mut nps: Vec<(i64, String)> = Vec::new();
    let mut csat: Vec<(i64, String, u8, &str)> = Vec::new();
    let mut line = String::new();
    for (user, t, tp) in &orders {
        let online = *tp != "store-till";
        if rng.chance(0.34) {
            let at = t + rng.range(86_400, 4 * 86_400);
            let score = if online {
                *rng.pick(&[
                    (10, 0.16),
                    (9, 0.18),
                    (8, 0.2),
                    (7, 0.14),
                    (6, 0.1),
                    (5, 0.08),
                    (4, 0.05),
                    (3, 0.04),
                    (2, 0.02),
                    (1, 0.02),
                    (0, 0.01),
                ])
            } else {
                *rng.pick(&[(10, 0.3), (9, 0.3), (8, 0.2), (7, 0.1), (6, 0.05), (5, 0.03), (3, 0.02)])
            };
            let pool = match score {
                0..=6 => NPS_LOW,
                7..=8 => NPS_MID,
                _ => NPS_HIGH,
            };
            let comment = pool[rng.range(0, pool.len() as i64) as usize];
            // One answer in ten comes from the in-app survey, which asks about the step.
            let key = if rng.chance(0.1) { "purchase" } else { tp };
            if at < end {
                line.clear();
                format_time(at, &mut line);
                nps.push((at, format!("{},{key},{line},{score},{}", field(user), field(comment))));
            }
        }
        if online && rng.chance(0.25) {
            let at = t + rng.range(2 * 86_400, 6 * 86_400);
            let score = *rng.pick(&[(5, 0.38), (4, 0.3), (3, 0.14), (2, 0.1), (1, 0.08)]);
            let pool = if score <= 2 { CSAT_LOW } else { CSAT_HIGH };
            let comment = pool[rng.range(0, pool.len() as i64) as usize];
            if at < end {
                csat.push((at, user.clone(), score, comment));
            }
        }
    }
    nps.sort();
    csat.sort();
    let mut w = create(&dir.join("nps-survey.csv"));
    writeln!(w, "respondent,touchpoint,submitted_at,score,comment")?;
    for (_, l) in &nps {
        writeln!(w, "{l}")?;
    }
    w.flush()?;
    // The delivery survey comes from a French tool: `;` between fields, dates as written in
    // France, answers keyed by the delivery SMS touchpoint.
    let mut w = create(&dir.join("delivery-csat.csv"));
    writeln!(w, "date;client;point_de_contact;note;commentaire")?;
    for (t, user, score, comment) in &csat {
        // Paris wall-clock time: CET, CEST from 2026-03-29T01:00Z.
        let offset = if *t >= 1_774_746_000 { 7200 } else { 3600 };
        let mut iso = String::new();
        format_time(t + offset, &mut iso);
        let fr = format!("{}/{}/{} {}", &iso[8..10], &iso[5..7], &iso[0..4], &iso[11..16]);
        writeln!(w, "{fr};{user};delivery-sms;{score};{}", comment.replace(';', ","))?;
    }
    w.flush()?;
    Ok((nps.len() as u64, csat.len() as u64))
}

fn create(path: &Path) -> Box<dyn Write> {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    let w = BufWriter::with_capacity(1 << 20, file);
    if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::write::GzEncoder::new(w, flate2::Compression::new(6)))
    } else {
        Box::new(w)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["example", dir] => {
            let dir = Path::new(dir);
            std::fs::create_dir_all(dir).expect("create data dir");
            let mut w = create(&dir.join("events.csv"));
            let n = write_events(6_000, 2026, Some(START + DAYS * 86_400), true, &mut w).expect("write events");
            w.flush().expect("flush");
            let mut w = create(&dir.join("b2b-metrics.csv"));
            write_b2b_metrics(7, &mut w).expect("write metrics");
            w.flush().expect("flush");
            eprintln!("wrote {n} events and the B2B metrics to {}", dir.display());
        }
        ["feedback", dir] => {
            let (nps, csat) = write_feedback(Path::new(dir), 8).expect("write surveys");
            eprintln!("wrote {nps} NPS and {csat} CSAT answers to {dir}");
        }
        ["events", users, seed, out] => {
            let users: u64 = users.parse().expect("USERS is a number");
            let seed: u64 = seed.parse().expect("SEED is a number");
            let mut w = create(Path::new(out));
            let n = write_events(users, seed, None, false, &mut w).expect("write events");
            w.flush().expect("flush");
            eprintln!(
                "wrote {n} events for {users} users ({:.2} per user) to {out}",
                n as f64 / users as f64
            );
        }
        _ => {
            eprintln!("usage: gen_data example DIR | gen_data events USERS SEED OUT.csv[.gz] | gen_data feedback DIR");
            std::process::exit(2);
        }
    }
}
