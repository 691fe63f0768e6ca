//! The tax and discount rule, by example and by property: gross = net + tax on every line, rate
//! and order; line taxes add up to each rate's tax; discounts add up exactly; nothing overflows.

use proptest::prelude::*;
use storedesk_domain::tax::{OrderTotals, PricedLine, Prices, TaxRate, order_totals, split_in_proportion};

fn rate(text: &str) -> TaxRate {
    TaxRate::parse_percent(text).expect("rate")
}

fn line(unit_price_minor: i64, qty: i64, r: &str, discount_minor: i64) -> PricedLine {
    PricedLine { unit_price_minor, qty, rate: rate(r), discount_minor }
}

#[test]
fn rates_read_as_percents_with_up_to_two_decimals() {
    assert_eq!(rate("13").basis_points(), 1300);
    assert_eq!(rate("5.5").basis_points(), 550);
    assert_eq!(rate("6.25").basis_points(), 625);
    assert_eq!(rate("0").basis_points(), 0);
    assert_eq!(rate("100").to_string(), "100%");
    assert_eq!(rate("5.5").to_string(), "5.5%");
    assert_eq!(rate("6.25").to_string(), "6.25%");
    for bad in ["", "-1", "100.01", "1.234", "abc", "13.", ".5", "1e2"] {
        assert!(TaxRate::parse_percent(bad).is_err(), "{bad:?}");
    }
}

/// The README's worked example, prices including tax (a shop in China: 13 % and 9 %).
#[test]
fn an_inclusive_tax_order_by_rate() {
    // 2 x tea at 128.00 (13 %), 3 x snacks at 9.90 (9 %) with 1.00 off the snacks, 10.00 off the order.
    let lines = [line(12_800, 2, "13", 0), line(990, 3, "9", 100)];
    let t = order_totals(Prices::IncludeTax, &lines, 1_000).expect("totals");
    // The 10.00 splits over 256.00 and 28.70 - 1.00 = 27.70 as 8.99 and 1.01 (the larger remainder
    // takes the odd cent): tea 247.01, snacks 27.69.
    assert_eq!(t.lines.iter().map(|l| l.gross_minor).collect::<Vec<_>>(), vec![24_701, 2_769]);
    // Tax is inside: 247.01 x 13/113 = 28.4170 -> 28.42; 27.69 x 9/109 = 2.2863 -> 2.29.
    assert_eq!(
        t.rates.iter().map(|r| (r.rate.basis_points(), r.tax_minor)).collect::<Vec<_>>(),
        vec![(900, 229), (1300, 2_842)]
    );
    assert_eq!((t.gross_minor, t.tax_minor, t.net_minor, t.discount_minor), (27_470, 3_071, 24_399, 1_100));
}

/// The same goods in a store whose prices exclude tax (tax is added on top of the discounted net).
#[test]
fn an_exclusive_tax_order_by_rate() {
    let lines = [line(12_800, 2, "13", 0), line(990, 3, "9", 100)];
    let t = order_totals(Prices::ExcludeTax, &lines, 1_000).expect("totals");
    // Net after discounts 247.01 and 27.69; tax 27.69 x 9% = 2.4921 -> 2.49, 247.01 x 13% = 32.1113 -> 32.11.
    assert_eq!(t.rates.iter().map(|r| r.tax_minor).collect::<Vec<_>>(), vec![249, 3_211]);
    assert_eq!((t.net_minor, t.tax_minor, t.gross_minor), (27_470, 3_460, 30_930));
}

#[test]
fn half_a_minor_unit_rounds_up_once_per_rate() {
    // 0.05 at 10 % excluding tax is 0.005 tax: rounds to 0.01. Two such lines: 0.10 -> 0.01 (once).
    let one = order_totals(Prices::ExcludeTax, &[line(5, 1, "10", 0)], 0).expect("totals");
    assert_eq!(one.tax_minor, 1);
    let two =
        order_totals(Prices::ExcludeTax, &[line(5, 1, "10", 0), line(5, 1, "10", 0)], 0).expect("totals");
    assert_eq!(two.tax_minor, 1, "per rate, not per line");
    assert_eq!(two.lines.iter().map(|l| l.tax_minor).sum::<i64>(), 1);
}

#[test]
fn a_discount_larger_than_what_it_comes_off_or_an_overflow_is_refused() {
    assert!(order_totals(Prices::IncludeTax, &[line(100, 1, "13", 101)], 0).is_err());
    assert!(order_totals(Prices::IncludeTax, &[line(100, 1, "13", 0)], 101).is_err());
    assert!(order_totals(Prices::IncludeTax, &[line(i64::MAX, 2, "13", 0)], 0).is_err());
    assert!(
        order_totals(
            Prices::IncludeTax,
            &[line(i64::MAX / 2, 1, "0", 0), line(i64::MAX / 2 + 2, 1, "13", 0)],
            0
        )
        .is_err()
    );
}

fn check(t: &OrderTotals, prices: Prices, lines: &[PricedLine], order_discount: i64) {
    for l in &t.lines {
        assert_eq!(l.gross_minor, l.net_minor + l.tax_minor);
        assert!(l.discount_minor <= l.amount_minor && l.net_minor >= 0 && l.tax_minor >= 0);
    }
    for r in &t.rates {
        assert_eq!(r.gross_minor, r.net_minor + r.tax_minor);
        let members: Vec<_> = lines.iter().zip(&t.lines).filter(|(l, _)| l.rate == r.rate).collect();
        assert_eq!(
            members.iter().map(|(_, x)| x.tax_minor).sum::<i64>(),
            r.tax_minor,
            "line taxes add up to the rate's"
        );
        let base: i64 = members
            .iter()
            .map(|(_, x)| x.gross_minor - if prices == Prices::ExcludeTax { x.tax_minor } else { 0 })
            .sum();
        // The rate's tax is the rounded exact tax of its base: within half a minor unit.
        let bp = i128::from(r.rate.basis_points());
        let exact_times_den = i128::from(base) * bp;
        let den = match prices {
            Prices::IncludeTax => 10_000 + bp,
            Prices::ExcludeTax => 10_000,
        };
        assert!((i128::from(r.tax_minor) * den - exact_times_den).abs() * 2 <= den, "rounded once, half up");
    }
    assert_eq!(t.gross_minor, t.net_minor + t.tax_minor);
    assert_eq!(t.tax_minor, t.rates.iter().map(|r| r.tax_minor).sum::<i64>());
    let own: i64 = lines.iter().map(|l| l.discount_minor).sum();
    assert_eq!(t.discount_minor, own + order_discount, "discounts add up exactly");
    let amount: i64 = lines.iter().map(|l| l.unit_price_minor * l.qty).sum();
    match prices {
        Prices::IncludeTax => assert_eq!(t.gross_minor, amount - t.discount_minor),
        Prices::ExcludeTax => assert_eq!(t.net_minor, amount - t.discount_minor),
    }
}

fn lines() -> impl Strategy<Value = Vec<PricedLine>> {
    let rates = prop::sample::select(vec![0_u32, 550, 600, 900, 1300, 2000, 625]);
    prop::collection::vec((0_i64..1_000_000, 1_i64..50, rates, 0_i64..100), 1..8).prop_map(|ls| {
        ls.into_iter()
            .map(|(price, qty, bp, pct)| PricedLine {
                unit_price_minor: price,
                qty,
                rate: TaxRate::from_basis_points(bp).expect("rate"),
                discount_minor: price * qty * pct / 100,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn totals_add_up_whatever_the_order(lines in lines(), inclusive in any::<bool>(), pct in 0_i64..=100) {
        let prices = if inclusive { Prices::IncludeTax } else { Prices::ExcludeTax };
        let after: i64 = lines.iter().map(|l| l.unit_price_minor * l.qty - l.discount_minor).sum();
        let order_discount = after * pct / 100;
        let t = order_totals(prices, &lines, order_discount).expect("totals");
        check(&t, prices, &lines, order_discount);
    }

    #[test]
    fn a_split_is_exact_and_proportional(total in 0_i64..10_000_000, weights in prop::collection::vec(0_i64..1_000_000, 1..10)) {
        let parts = split_in_proportion(total, &weights).expect("split");
        prop_assert_eq!(parts.iter().sum::<i64>(), total);
        let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if sum > 0 {
            for (p, w) in parts.iter().zip(&weights) {
                let exact = i128::from(total) * i128::from(*w);
                prop_assert!((i128::from(*p) * sum - exact).abs() < sum, "within one unit of its share");
            }
        }
    }
}
