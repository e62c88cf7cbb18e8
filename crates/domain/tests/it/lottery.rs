//! The lottery draw against the published test vectors (`docs/lottery/vectors.json`, which
//! `docs/lottery/verify_draw.py` checks too), and what a draw refuses.

use fieldpost_domain::lottery::{
    Carrier, DrawError, FrozenList, ListEntry, PoolResult, PoolSpec, draw,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    list: Vec<(u32, String, Carrier)>,
    published_digest: String,
    public_value: String,
    pools: Vec<PoolSpec>,
    expect: Expect,
}

#[derive(Deserialize)]
struct Expect {
    tampered: bool,
    pools: Vec<PoolResult>,
}

fn vectors() -> Vectors {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/lottery/vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn list_of(entries: &[(u32, String, Carrier)]) -> FrozenList {
    FrozenList::new(
        entries
            .iter()
            .map(|(entry, masked_phone, carrier)| ListEntry {
                entry: *entry,
                masked_phone: masked_phone.clone(),
                carrier: *carrier,
            })
            .collect(),
    )
    .unwrap()
}

#[test]
fn every_published_vector_draws_the_same_winners_and_a_tampered_list_is_caught() {
    let vectors = vectors();
    assert!(vectors.vectors.len() >= 5, "the vectors are there");
    for v in &vectors.vectors {
        let text = list_of(&v.list).published_text();
        match FrozenList::verify(&text, &v.published_digest) {
            Err(DrawError::Tampered { .. }) => {
                assert!(v.expect.tampered, "{}: caught as tampered", v.name)
            }
            Err(e) => panic!("{}: {e}", v.name),
            Ok(list) => {
                assert!(!v.expect.tampered, "{}: a tampered list passed", v.name);
                assert_eq!(list.digest_hex(), v.published_digest, "{}", v.name);
                let got = draw(&list, &v.public_value, &v.pools).unwrap();
                assert_eq!(got, v.expect.pools, "{}: the same winners", v.name);
            }
        }
    }
}

#[test]
fn one_prize_per_entry_winners_fit_their_pool_and_the_value_decides() {
    let v = &vectors().vectors[2];
    let list = list_of(&v.list);
    let results = draw(&list, &v.public_value, &v.pools).unwrap();
    let mut winners = std::collections::HashSet::new();
    for (pool, result) in v.pools.iter().zip(&results) {
        assert_eq!(
            result.winners.len(),
            pool.quantity as usize,
            "{}",
            pool.name
        );
        assert_eq!(
            result.reserves.len(),
            pool.reserves as usize,
            "{}",
            pool.name
        );
        for e in result.winners.iter().chain(&result.reserves) {
            let carrier = list.entries()[*e as usize - 1].carrier;
            assert!(pool.carriers.contains(&carrier), "{}: entry {e}", pool.name);
        }
        for e in &result.winners {
            assert!(winners.insert(*e), "entry {e} won twice");
        }
    }
    let again = draw(&list, &format!("{} ", v.public_value), &v.pools).unwrap();
    assert_eq!(again, results, "surrounding spaces do not change the value");
    let other = draw(&list, "another announced value", &v.pools).unwrap();
    assert_ne!(other, results, "another value draws otherwise");
}

#[test]
fn the_published_text_reads_back_and_malformed_lists_values_and_pools_are_refused() {
    let v = &vectors().vectors[0];
    let list = list_of(&v.list);
    let text = list.published_text();
    assert!(text.starts_with("entry,phone,carrier\n1,"));
    assert_eq!(FrozenList::parse(&text).unwrap(), list);
    for (bad, line) in [
        (text.replacen("entry,phone,carrier", "号,电话,运营商", 1), 1),
        (text.replacen("\n2,", "\n3,", 1), 3),
        (text.replacen(",mobile\n", ",cmcc\n", 1), 0),
        (text.trim_end().to_owned(), 0),
        (text.replacen("\n1,", "\n01,", 1), 1),
    ] {
        match FrozenList::parse(&bad) {
            Err(DrawError::List { line: at, .. }) => {
                assert!(line == 0 || at == line, "{bad:?}: line {at}, not {line}")
            }
            other => panic!("{bad:?} was read: {other:?}"),
        }
    }
    let pool = |carriers: Vec<Carrier>, quantity| PoolSpec {
        name: "p".into(),
        quantity,
        carriers,
        reserves: 0,
    };
    assert_eq!(
        draw(&list, "  ", &[pool(vec![Carrier::Mobile], 1)]),
        Err(DrawError::Value)
    );
    assert_eq!(
        draw(&list, "a\nb", &[pool(vec![Carrier::Mobile], 1)]),
        Err(DrawError::Value)
    );
    assert!(matches!(
        draw(&list, "v", &[pool(vec![], 1)]),
        Err(DrawError::Pool { pool: 1, .. })
    ));
    assert!(matches!(
        draw(
            &list,
            "v",
            &[
                pool(vec![Carrier::Mobile], 1),
                pool(vec![Carrier::Mobile], 0)
            ]
        ),
        Err(DrawError::Pool { pool: 2, .. })
    ));
    assert!(
        FrozenList::new(vec![ListEntry {
            entry: 1,
            masked_phone: "138****1234,x".into(),
            carrier: Carrier::Mobile,
        }])
        .is_err(),
        "a comma would break the published CSV"
    );
}

#[test]
fn a_numbers_prefix_says_its_carrier() {
    use fieldpost_domain::MobileNumber;
    let carrier = |n: &str| Carrier::of_number(&MobileNumber::parse(n).unwrap());
    for (number, expected) in [
        ("13812345678", Carrier::Mobile),
        ("13412345678", Carrier::Mobile),
        ("13491234567", Carrier::Telecom),
        ("15012345678", Carrier::Mobile),
        ("19812345678", Carrier::Mobile),
        ("13012345678", Carrier::Unicom),
        ("18612345678", Carrier::Unicom),
        ("16612345678", Carrier::Unicom),
        ("13312345678", Carrier::Telecom),
        ("18912345678", Carrier::Telecom),
        ("19912345678", Carrier::Telecom),
        ("17012345678", Carrier::Other),
        ("16512345678", Carrier::Other),
        ("19212345678", Carrier::Other),
        ("+86 177-1234-5678", Carrier::Telecom),
    ] {
        assert_eq!(carrier(number), expected, "{number}");
    }
    assert_eq!(Carrier::Unicom.label_zh(), "联通");
    assert_eq!(Carrier::from_code("telecom"), Some(Carrier::Telecom));
    assert_eq!(Carrier::from_code("电信"), None);
}
