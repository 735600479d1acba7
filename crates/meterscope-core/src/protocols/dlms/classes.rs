//! COSEM interface classes (IEC 62056-6-2, the Blue Book): class names,
//! attribute and method names, and the physical units of `scaler_unit`.
//!
//! Attribute 1 of every class is `logical_name`; the tables list the rest.
//! Names are the standard's identifiers, which read the same in both
//! languages; the class names have Chinese forms.

use crate::lang::Lang;

/// Class id, version-independent English and Chinese class name.
static CLASSES: &[(u16, &str, &str)] = &[
    (1, "Data", "数据"),
    (3, "Register", "寄存器"),
    (4, "Extended register", "扩展寄存器"),
    (5, "Demand register", "需量寄存器"),
    (6, "Register activation", "寄存器激活"),
    (7, "Profile generic", "通用曲线"),
    (8, "Clock", "时钟"),
    (9, "Script table", "脚本表"),
    (10, "Schedule", "时间表"),
    (11, "Special days table", "特殊日表"),
    (12, "Association SN", "短名关联"),
    (15, "Association LN", "逻辑名关联"),
    (17, "SAP assignment", "SAP 分配"),
    (18, "Image transfer", "固件映像传输"),
    (20, "Activity calendar", "活动日历"),
    (21, "Register monitor", "寄存器监视器"),
    (22, "Single action schedule", "单动作时间表"),
    (23, "IEC HDLC setup", "IEC HDLC 设置"),
    (40, "Push setup", "推送设置"),
    (41, "TCP-UDP setup", "TCP-UDP 设置"),
    (42, "IPv4 setup", "IPv4 设置"),
    (64, "Security setup", "安全设置"),
    (70, "Disconnect control", "通断控制"),
    (71, "Limiter", "限值器"),
    (72, "M-Bus client", "M-Bus 客户端"),
];

/// Attribute names from 2 on, per class.
static ATTRIBUTES: &[(u16, &[&str])] = &[
    (1, &["value"]),
    (3, &["value", "scaler_unit"]),
    (4, &["value", "scaler_unit", "status", "capture_time"]),
    (
        5,
        &[
            "current_average_value",
            "last_average_value",
            "scaler_unit",
            "status",
            "capture_time",
            "start_time_current",
            "period",
            "number_of_periods",
        ],
    ),
    (6, &["register_assignment", "mask_list", "active_mask"]),
    (
        7,
        &[
            "buffer",
            "capture_objects",
            "capture_period",
            "sort_method",
            "sort_object",
            "entries_in_use",
            "profile_entries",
        ],
    ),
    (
        8,
        &[
            "time",
            "time_zone",
            "status",
            "daylight_savings_begin",
            "daylight_savings_end",
            "daylight_savings_deviation",
            "daylight_savings_enabled",
            "clock_base",
        ],
    ),
    (9, &["scripts"]),
    (10, &["entries"]),
    (11, &["entries"]),
    (12, &["object_list", "access_rights_list", "security_setup_reference"]),
    (
        15,
        &[
            "object_list",
            "associated_partners_id",
            "application_context_name",
            "xDLMS_context_info",
            "authentication_mechanism_name",
            "secret",
            "association_status",
            "security_setup_reference",
            "user_list",
            "current_user",
        ],
    ),
    (17, &["SAP_assignment_list"]),
    (
        18,
        &[
            "image_block_size",
            "image_transferred_blocks_status",
            "image_first_not_transferred_block_number",
            "image_transfer_enabled",
            "image_transfer_status",
            "image_to_activate_info",
        ],
    ),
    (
        20,
        &[
            "calendar_name_active",
            "season_profile_active",
            "week_profile_table_active",
            "day_profile_table_active",
            "calendar_name_passive",
            "season_profile_passive",
            "week_profile_table_passive",
            "day_profile_table_passive",
            "activate_passive_calendar_time",
        ],
    ),
    (21, &["thresholds", "monitored_value", "actions"]),
    (22, &["executed_script", "type", "execution_time"]),
    (
        23,
        &[
            "comm_speed",
            "window_size_transmit",
            "window_size_receive",
            "max_info_field_length_transmit",
            "max_info_field_length_receive",
            "inter_octet_time_out",
            "inactivity_time_out",
            "device_address",
        ],
    ),
    (
        40,
        &[
            "push_object_list",
            "send_destination_and_method",
            "communication_window",
            "randomisation_start_interval",
            "number_of_retries",
            "repetition_delay",
        ],
    ),
    (41, &["TCP-UDP_port", "IP_reference", "MSS", "nb_of_sim_conn", "inactivity_time_out"]),
    (
        42,
        &[
            "DL_reference",
            "IP_address",
            "multicast_IP_address",
            "IP_options",
            "subnet_mask",
            "gateway_IP_address",
            "use_DHCP_flag",
            "primary_DNS_address",
            "secondary_DNS_address",
        ],
    ),
    (64, &["security_policy", "security_suite", "client_system_title", "server_system_title", "certificates"]),
    (70, &["output_state", "control_state", "control_mode"]),
    (
        71,
        &[
            "monitored_value",
            "threshold_active",
            "threshold_normal",
            "threshold_emergency",
            "min_over_threshold_duration",
            "min_under_threshold_duration",
            "emergency_profile",
            "emergency_profile_group_id_list",
            "emergency_profile_active",
            "actions",
        ],
    ),
    (
        72,
        &[
            "mbus_port_reference",
            "capture_definition",
            "capture_period",
            "primary_address",
            "identification_number",
            "manufacturer_id",
            "version",
            "device_type",
            "access_number",
            "status",
            "alarm",
        ],
    ),
];

/// Method names from 1 on, per class.
static METHODS: &[(u16, &[&str])] = &[
    (1, &[]),
    (3, &["reset"]),
    (4, &["reset"]),
    (5, &["reset", "next_period"]),
    (6, &["add_register", "add_mask", "delete_mask"]),
    (7, &["reset", "capture"]),
    (
        8,
        &[
            "adjust_to_quarter",
            "adjust_to_measuring_period",
            "adjust_to_minute",
            "adjust_to_preset_time",
            "preset_adjusting_time",
            "shift_time",
        ],
    ),
    (9, &["execute"]),
    (10, &["enable_disable", "insert", "delete"]),
    (11, &["insert", "delete"]),
    (12, &["reply_to_HLS_authentication", "change_HLS_secret"]),
    (
        15,
        &["reply_to_HLS_authentication", "change_HLS_secret", "add_object", "remove_object", "add_user", "remove_user"],
    ),
    (17, &["connect_logical_device"]),
    (18, &["image_transfer_initiate", "image_block_transfer", "image_verify", "image_activate"]),
    (20, &["activate_passive_calendar"]),
    (40, &["push"]),
    (
        64,
        &[
            "security_activate",
            "key_transfer",
            "key_agreement",
            "generate_key_pair",
            "generate_certificate_request",
            "import_certificate",
            "export_certificate",
            "remove_certificate",
        ],
    ),
    (70, &["remote_disconnect", "remote_reconnect"]),
    (
        72,
        &[
            "slave_install",
            "slave_deinstall",
            "capture",
            "reset_alarm",
            "synchronize_clock",
            "data_send",
            "set_encryption_key",
            "transfer_key",
        ],
    ),
];

/// The name of an interface class.
pub fn class_name(class: u16, lang: Lang) -> Option<&'static str> {
    CLASSES.iter().find(|c| c.0 == class).map(|c| lang.pick(c.1, c.2))
}

/// The name of attribute `attr` of a class (`logical_name` for 1).
pub fn attribute_name(class: u16, attr: i8) -> Option<&'static str> {
    if attr == 1 {
        return Some("logical_name");
    }
    let list = ATTRIBUTES.iter().find(|a| a.0 == class)?.1;
    usize::try_from(attr).ok().filter(|&a| a >= 2).and_then(|a| list.get(a - 2)).copied()
}

/// The name of method `method` of a class.
pub fn method_name(class: u16, method: i8) -> Option<&'static str> {
    let list = METHODS.iter().find(|a| a.0 == class)?.1;
    usize::try_from(method).ok().filter(|&m| m >= 1).and_then(|m| list.get(m - 1)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(class_name(8, Lang::En), Some("Clock"));
        assert_eq!(class_name(70, Lang::Zh), Some("通断控制"));
        assert_eq!(class_name(9999, Lang::En), None);
        assert_eq!(attribute_name(3, 2), Some("value"));
        assert_eq!(attribute_name(3, 3), Some("scaler_unit"));
        assert_eq!(attribute_name(8, 2), Some("time"));
        assert_eq!(attribute_name(15, 2), Some("object_list"));
        assert_eq!(attribute_name(7, 2), Some("buffer"));
        assert_eq!(attribute_name(99, 1), Some("logical_name"));
        assert_eq!(attribute_name(3, 4), None);
        assert_eq!(attribute_name(3, -1), None);
        assert_eq!(method_name(70, 1), Some("remote_disconnect"));
        assert_eq!(method_name(18, 4), Some("image_activate"));
        assert_eq!(method_name(15, 1), Some("reply_to_HLS_authentication"));
        assert_eq!(method_name(3, 0), None);
    }

    #[test]
    fn tables_are_sorted() {
        assert!(CLASSES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ATTRIBUTES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(METHODS.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
