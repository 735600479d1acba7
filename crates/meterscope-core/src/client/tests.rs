use super::render::*;
use super::targets::*;
use super::*;
use crate::Lang;

const OAD: (&str, &str) = ("OAD", "OAD");
use crate::protocols::dlt645::Variant;
use crate::protocols::dlt698::session::Connect;

#[test]
fn only_typed_numbers_are_numbers() {
    let f = Reading::new("02800002", "Frequency", Value::decimal_or_text("49.99".into()), "Hz");
    assert_eq!(f.number(), Some(49.99));
    assert_eq!(f.key(), "02800002 Frequency");
    // An address made of digits is text, whatever it looks like.
    assert_eq!(Reading::new("address", "Meter address", "123456789012", "").number(), None);
    assert_eq!(Reading::failed("x", "1.5".into()).number(), None);
    let e = Reading::new("1.8.0", "Energy", Value::decimal_or_text("001234.567".into()), "kWh");
    assert_eq!((e.number(), e.value.to_string().as_str()), (Some(1234.567), "001234.567"));
}

#[test]
fn csv_and_json_of_results() {
    let r = Reading::new("02800002", "Frequency", Number::new(4999, -2), "Hz");
    assert_eq!(
        results_csv(std::slice::from_ref(&r)),
        "id,name,value,unit\n\"02800002\",\"Frequency\",\"49.99\",\"Hz\"\n"
    );
    let t =
        Table { title: "x".into(), columns: vec!["a".into(), "b\"".into()], rows: vec![vec!["1".into(), "2".into()]] };
    assert_eq!(table_csv(&t), "\"a\",\"b\"\"\"\n\"1\",\"2\"\n");
    let bad = Reading::failed("40000200", "no reply \"x\"".into());
    let json = results_json(&[r.clone(), bad.clone()], Some(&t));
    assert_eq!(
        json,
        r#"{
  "readings": [
    {
      "id": "02800002",
      "name": "Frequency",
      "value": "49.99",
      "unit": "Hz"
    },
    {
      "id": "40000200",
      "name": "",
      "value": "no reply \"x\"",
      "unit": "",
      "error": true
    }
  ],
  "table": {
    "title": "x",
    "columns": [
      "a",
      "b\""
    ],
    "rows": [
      [
        "1",
        "2"
      ]
    ]
  }
}"#
    );
    let polls = vec![("2026-12-07T05:00:00.000Z".to_string(), r.clone())];
    assert_eq!(
        polls_csv(&polls),
        "time,id,name,value,unit\n\"2026-12-07T05:00:00.000Z\",\"02800002\",\"Frequency\",\"49.99\",\"Hz\"\n"
    );
    assert!(polls_json(&polls).contains("\"time\": \"2026-12-07T05:00:00.000Z\",\n      \"id\": \"02800002\""));
    assert_eq!(polls_json(&[]), "{\n  \"polls\": []\n}");
    assert_eq!(text_line(&r), "02800002  Frequency: 49.99 Hz");
    assert_eq!(text_line(&bad), "40000200  error: no reply \"x\"");
}

#[test]
fn targets_parse_once_for_every_surface() {
    assert_eq!(hex_words("00100200, 0x20000200;", 8, OAD, Lang::En).unwrap(), [0x0010_0200, 0x2000_0200]);
    assert_eq!(hex_words("00100200/20000200|40000200", 8, OAD, Lang::En).unwrap().len(), 3);
    assert_eq!(hex_words("0010", 8, OAD, Lang::En).unwrap_err(), "'0010' is not a OAD of 8 hex digits");
    assert_eq!(dlt645_dis("9010 B611", Variant::V1997, Lang::En).unwrap(), [0x9010, 0xB611]);
    assert!(dlt645_dis("9010", Variant::V2007, Lang::Zh).unwrap_err().contains("“9010”不是 8 位十六进制的数据标识"));
    assert_eq!(dlt645_di_text(0x9010, Variant::V1997), "9010");
    assert_eq!(
        dlt698_targets("00100200 50040200@2", Lang::En).unwrap(),
        [Dlt698Target::Oad(0x0010_0200), Dlt698Target::Record(0x5004_0200, 2)]
    );
    assert!(dlt698_targets("50040200@0", Lang::Zh).unwrap_err().contains("1-255"));
    assert_eq!(dlt698_address("000000000001", Lang::En).unwrap(), [0, 0, 0, 0, 0, 1]);
    assert!(dlt698_address("123", Lang::En).is_err());
    assert_eq!(
        [client_address("0x10", Lang::En), client_address("10H", Lang::En), client_address("16", Lang::En)],
        [Ok(16), Ok(16), Ok(16)]
    );
    assert!(client_address("256", Lang::Zh).unwrap_err().contains("客户机地址"));
    assert_eq!(connect("Always", Lang::En), Ok(Connect::Always));
    assert_eq!(connect("", Lang::En), Ok(Connect::Auto));
    assert!(connect("maybe", Lang::En).is_err());
    assert_eq!(
        [primary_range("1-5"), primary_range(" 7 "), primary_range("5-1"), primary_range("0-251")],
        [Some((1, 5)), Some((7, 7)), None, None]
    );
    assert_eq!(mbus_scan(""), Some(MbusScan::Primary(0, 250)));
    assert_eq!(mbus_scan("3-9"), Some(MbusScan::Primary(3, 9)));
    assert!(matches!(mbus_scan("Secondary"), Some(MbusScan::Secondary(_))));
    assert!(matches!(mbus_scan("1234FFFF"), Some(MbusScan::Secondary(_))));
    assert_eq!(mbus_scan("12-x"), None);
}

#[test]
fn dates_and_drifts() {
    assert_eq!(date_time("2024-05-17 08:15:30 (Friday)").unwrap().to_string(), "2024-05-17 08:15:30");
    assert_eq!(date_time("2024-05-17T08:15").unwrap().to_string(), "2024-05-17 08:15:00");
    assert_eq!(date_time("2024-05-17T08:15:30Z").unwrap().to_string(), "2024-05-17 08:15:30");
    assert_eq!(date_time("2024/05/17 08:15").unwrap().to_string(), "2024-05-17 08:15:00");
    for bad in [
        "2024-13-17 08:15",
        "00 01 02",
        "1969-12-31 23:59",
        "2024-05-17",
        "2024-05-17-1 08:00",
        "2024-02-30 00:00",
        "2024-05-17T10:30:00+02:00",
        "2024-05-17 10:30:00.5",
        "2024-05-17 10:30:",
    ] {
        assert_eq!(date_time(bad), None, "{bad}");
    }
    assert_eq!(drift(-12), (Value::Number(Number::integer(-12)), "s"));
    assert_eq!(drift(12).0.number(), Some(12.0));
    assert_eq!(drift(3 * 86_400 + 3661), (Value::Text("+3 d 01:01:01".into()), ""));
    assert_eq!(drift(-7200), (Value::Text("-02:00:00".into()), ""));
}

/// Failures and notices are typed; every surface words them in its language.
#[test]
fn failures_and_notices_in_both_languages() {
    use crate::Lang;
    use crate::protocols::{dlms, dlt645, dlt698, iec62056};
    let texts = [
        (dlt645::session::Failure::Timeout { attempts: 3 }.text(Lang::Zh), "3 次"),
        (dlt645::session::Notice::Junk(5).text(Lang::Zh), "噪声"),
        (dlt698::session::Failure::Dar { code: 6, text: "x".into() }.text(Lang::Zh), "DAR 6"),
        (dlt698::session::Failure::ConnectRefused { result: 1 }.text(Lang::Zh), "密码错误"),
        (dlt698::session::Notice::Block { block: 2 }.text(Lang::Zh), "分帧 2"),
        (dlms::session::Failure::NotAssociated.text(Lang::Zh), "未建立"),
        (dlms::session::Notice::Retry { attempt: 2 }.text(Lang::Zh), "第 2 次"),
        (iec62056::session::Failure::BadBcc.text(Lang::Zh), "BCC"),
        (iec62056::session::Notice::RepeatRequest.text(Lang::Zh), "重发"),
    ];
    for (text, has) in &texts {
        assert!(text.contains(has) && !text.is_ascii(), "{text}");
    }
    // Display stays English, for logs.
    assert_eq!(dlt698::session::Failure::NoMeter.to_string(), "no meter address (finding the meter failed)");
    assert_eq!(
        dlt698::session::Failure::Dar { code: 6, text: "对象未定义".into() }.text(Lang::En),
        format!("DAR 6: {}", dlt698::dictionary::dar_name(6, Lang::En).unwrap_or("DAR 6"))
    );
}

#[test]
fn values_as_rows_and_lines() {
    let items = |labels: &[&str]| -> Vec<Item> {
        labels.iter().map(|l| Item::new(l.to_string(), Number::new(2301, -1), "V".into())).collect()
    };
    let one = render::value_lines("02010100", "Voltage A", &items(&["Voltage A"]), "", true);
    assert_eq!(one, ["02010100  Voltage A: 230.1 V"]);
    let three = items(&["phase A", "phase B", "phase C"]);
    let lines = render::value_lines("0201FF00", "Voltage", &three, "  (incomplete)", false);
    assert_eq!(lines[0], "0201FF00  Voltage  (incomplete)");
    assert_eq!(lines[3], "    phase C: 230.1 V");
    let rows = item_rows("0201FF00", "Voltage", &three, false);
    assert_eq!((rows[1].name.as_str(), rows[1].number()), ("Voltage · phase B", Some(230.1)));
    assert_eq!(item_rows("x", "Voltage", &items(&["total"]), false)[0].name, "Voltage");
    assert_eq!(item_rows("x", "", &items(&["data"]), false)[0].name, "data");
    // A DL/T 645 block answered with one item keeps the item's label.
    assert_eq!(item_rows("0201FF00", "Voltage block", &items(&["phase A"]), true)[0].name, "Voltage block · phase A");
    assert_eq!(item_rows("02010100", "Voltage A", &items(&["Voltage A"]), true)[0].name, "Voltage A");
    let lone = render::value_lines("0201FF00", "Voltage block", &items(&["phase A"]), "", true);
    assert_eq!(lone, ["0201FF00  Voltage block", "    phase A: 230.1 V"]);
    let mut noted = items(&["Clock"]);
    noted[0].value = Value::Text("FF".into());
    noted[0].text = Some("no data".into());
    assert_eq!(item_rows("x", "Clock", &noted, false)[0].value.to_string(), "FF (no data)");
    assert_eq!(render::value_lines("x", "Clock", &noted, "", false)[0], "x  Clock: FF V  (no data)");
}
