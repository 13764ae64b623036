//! Temporal newtypes with the server's epochs and units, plus the 16-byte [`Guid`].
//!
//! * [`Date`]: days since 2000-01-01 (i32).
//! * [`Time`]: milliseconds since midnight (i32).
//! * [`Timestamp`]: nanoseconds since 2000-01-01T00:00:00 (i64).
//!
//! Each is `#[repr(transparent)]` over its integer so whole columns are decoded with one
//! bulk copy. Conversions to and from `std::time` are lossless where the ranges allow and
//! checked where they do not; `chrono` conversions come with the `chrono` feature.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds from 1970-01-01 (Unix epoch) to 2000-01-01 (Rayforce epoch).
pub const EPOCH_OFFSET_SECS: i64 = 946_684_800;
const NANOS_PER_SEC: i64 = 1_000_000_000;
const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;
const MILLIS_PER_DAY: i32 = 86_400_000;

/// A calendar date: days since 2000-01-01. `i32::MIN` is the null sentinel.
///
/// ```
/// use rayforce_client::Date;
/// let d = Date::from_ymd(2024, 1, 2).unwrap();
/// assert_eq!(d.days(), 8767);
/// assert_eq!(d.to_string(), "2024.01.02");
/// assert_eq!(d.to_ymd(), (2024, 1, 2));
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(transparent)]
pub struct Date(pub i32);

/// A time of day: milliseconds since midnight. `i32::MIN` is the null sentinel.
///
/// ```
/// use rayforce_client::Time;
/// let t = Time::from_hms_milli(12, 34, 56, 789).unwrap();
/// assert_eq!(t.millis(), 45_296_789);
/// assert_eq!(t.to_string(), "12:34:56.789");
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(transparent)]
pub struct Time(pub i32);

/// A point in time: nanoseconds since 2000-01-01T00:00:00. `i64::MIN` is the null sentinel.
///
/// ```
/// use rayforce_client::Timestamp;
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = Timestamp::from_nanos(757_514_096_123_456_789);
/// assert_eq!(t.to_string(), "2024.01.02D12:34:56.123456789");
/// let st = t.to_system_time();
/// assert_eq!(Timestamp::try_from(st).unwrap(), t);
/// assert_eq!(Timestamp::try_from(UNIX_EPOCH + Duration::from_secs(946_684_800)).unwrap().nanos(), 0);
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(transparent)]
pub struct Timestamp(pub i64);

/// A 16-byte GUID, stored in the same byte order as its text form.
///
/// ```
/// use rayforce_client::Guid;
/// let g: Guid = "00112233-4455-6677-8899-aabbccddeeff".parse().unwrap();
/// assert_eq!(g.0[0], 0x00);
/// assert_eq!(g.0[15], 0xff);
/// assert_eq!(g.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
/// ```
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(transparent)]
pub struct Guid(pub [u8; 16]);

impl Date {
    /// The null date (`0Nd`).
    pub const NULL: Date = Date(i32::MIN);

    /// Days since 2000-01-01.
    pub fn days(self) -> i32 {
        self.0
    }

    /// Whether this is the null sentinel.
    pub fn is_null(self) -> bool {
        self.0 == i32::MIN
    }

    /// Builds a date from a proleptic Gregorian year, month (1–12) and day (1–31);
    /// `None` when the date does not exist or is out of range.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let days = days_from_civil(year as i64, month, day) - days_from_civil(2000, 1, 1);
        i32::try_from(days).ok().map(Date)
    }

    /// The (year, month, day) of this date.
    pub fn to_ymd(self) -> (i32, u32, u32) {
        let (y, m, d) = civil_from_days(self.0 as i64 + days_from_civil(2000, 1, 1));
        (y as i32, m, d)
    }
}

impl Time {
    /// The null time (`0Nt`).
    pub const NULL: Time = Time(i32::MIN);

    /// Milliseconds since midnight.
    pub fn millis(self) -> i32 {
        self.0
    }

    /// Whether this is the null sentinel.
    pub fn is_null(self) -> bool {
        self.0 == i32::MIN
    }

    /// Builds a time of day; `None` when out of range.
    pub fn from_hms_milli(hour: u32, minute: u32, second: u32, milli: u32) -> Option<Time> {
        if hour > 23 || minute > 59 || second > 59 || milli > 999 {
            return None;
        }
        Some(Time(
            (((hour * 60 + minute) * 60 + second) * 1000 + milli) as i32,
        ))
    }

    /// The time as a `Duration` since midnight; `None` for negative (or null) times.
    pub fn to_duration(self) -> Option<Duration> {
        u64::try_from(self.0).ok().map(Duration::from_millis)
    }
}

/// Nanoseconds since midnight of `HH:MM[:SS[.fffffffff]]`.
fn parse_nanos_of_day(s: &str) -> Option<i64> {
    let (hms, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut it = hms.splitn(3, ':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec: i64 = it.next().unwrap_or("0").parse().ok()?;
    if h > 23 || m > 59 || sec > 59 || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_nanos: i64 = format!("{frac:0<9}").parse().ok()?;
    Some(((h * 60 + m) * 60 + sec) * NANOS_PER_SEC + frac_nanos)
}

impl Date {
    /// Parses ISO `YYYY-MM-DD` (also the server's `YYYY.MM.DD`).
    ///
    /// ```
    /// use rayforce_client::Date;
    /// assert_eq!(Date::parse_iso("2024-01-02"), Some(Date(8767)));
    /// assert_eq!(Date::parse_iso("2024.01.02"), Some(Date(8767)));
    /// assert_eq!(Date::parse_iso("2024-02-30"), None);
    /// ```
    pub fn parse_iso(s: &str) -> Option<Date> {
        let mut it = s.splitn(3, ['-', '.']);
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Date::from_ymd(y, m, d)
    }
}

impl Time {
    /// Parses `HH:MM:SS[.fff]` (whole milliseconds only).
    pub fn parse_iso(s: &str) -> Option<Time> {
        let ns = parse_nanos_of_day(s)?;
        (ns % 1_000_000 == 0).then_some(Time((ns / 1_000_000) as i32))
    }
}

impl Timestamp {
    /// Parses ISO `YYYY-MM-DD[T| ]HH:MM:SS[.fffffffff][Z]` (also the server's `D` separator);
    /// a date alone is midnight.
    ///
    /// ```
    /// use rayforce_client::Timestamp;
    /// let t = Timestamp::parse_iso("2024-01-02T12:34:56.123456789").unwrap();
    /// assert_eq!(t.nanos(), 757_514_096_123_456_789);
    /// assert_eq!(Timestamp::parse_iso("2024.01.02D12:34:56.123456789"), Some(t));
    /// ```
    pub fn parse_iso(s: &str) -> Option<Timestamp> {
        let s = s.strip_suffix('Z').unwrap_or(s);
        let (d, t) = s.split_once([' ', 'T', 'D']).unwrap_or((s, "00:00:00"));
        Some(Timestamp::from_date_nanos(
            Date::parse_iso(d)?,
            parse_nanos_of_day(t)?,
        ))
    }
}

impl TryFrom<Duration> for Time {
    type Error = crate::Error;
    /// Converts a duration since midnight (under 24 hours, whole milliseconds kept).
    fn try_from(d: Duration) -> crate::Result<Time> {
        let ms = d.as_millis();
        if ms >= MILLIS_PER_DAY as u128 || d.subsec_nanos() % 1_000_000 != 0 {
            return Err(crate::Error::TypeMismatch {
                expected: "a whole-millisecond duration under 24h".into(),
                actual: format!("{d:?}"),
            });
        }
        Ok(Time(ms as i32))
    }
}

impl Timestamp {
    /// The null timestamp (`0Np`).
    pub const NULL: Timestamp = Timestamp(i64::MIN);

    /// Builds a timestamp from nanoseconds since 2000-01-01.
    pub fn from_nanos(nanos: i64) -> Timestamp {
        Timestamp(nanos)
    }

    /// Nanoseconds since 2000-01-01.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// Whether this is the null sentinel.
    pub fn is_null(self) -> bool {
        self.0 == i64::MIN
    }

    /// Builds a timestamp from a date and a time of day with nanoseconds.
    pub fn from_date_nanos(date: Date, nanos_of_day: i64) -> Timestamp {
        Timestamp(date.0 as i64 * NANOS_PER_DAY + nanos_of_day)
    }

    /// The `SystemTime` this timestamp denotes (exact: both have nanosecond resolution).
    pub fn to_system_time(self) -> SystemTime {
        let unix_nanos = self.0 as i128 + EPOCH_OFFSET_SECS as i128 * NANOS_PER_SEC as i128;
        if unix_nanos >= 0 {
            UNIX_EPOCH + Duration::from_nanos(unix_nanos as u64)
        } else {
            UNIX_EPOCH - Duration::from_nanos(unix_nanos.unsigned_abs() as u64)
        }
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = crate::Error;
    /// Converts a `SystemTime`; fails when it is outside the ±292-year i64 range.
    fn try_from(st: SystemTime) -> crate::Result<Timestamp> {
        let unix_nanos: i128 = match st.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        let nanos = unix_nanos - EPOCH_OFFSET_SECS as i128 * NANOS_PER_SEC as i128;
        i64::try_from(nanos)
            .ok()
            .filter(|n| *n != i64::MIN)
            .map(Timestamp)
            .ok_or_else(|| crate::Error::TypeMismatch {
                expected: "a time within the timestamp range".into(),
                actual: format!("{st:?}"),
            })
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> SystemTime {
        t.to_system_time()
    }
}

impl std::str::FromStr for Guid {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Guid> {
        let hex: Vec<u8> = s.bytes().filter(|b| *b != b'-').collect();
        let bad = || crate::Error::TypeMismatch {
            expected: "a GUID like 00112233-4455-6677-8899-aabbccddeeff".into(),
            actual: s.to_string(),
        };
        if hex.len() != 32 {
            return Err(bad());
        }
        let mut out = [0u8; 16];
        for (i, pair) in hex.chunks(2).enumerate() {
            let text = std::str::from_utf8(pair).map_err(|_| bad())?;
            out[i] = u8::from_str_radix(text, 16).map_err(|_| bad())?;
        }
        Ok(Guid(out))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_null() {
            return f.write_str("0Nd");
        }
        let (y, m, d) = self.to_ymd();
        write!(f, "{y:04}.{m:02}.{d:02}")
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_null() {
            return f.write_str("0Nt");
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        let ms = self.0.unsigned_abs();
        write!(
            f,
            "{sign}{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_null() {
            return f.write_str("0Np");
        }
        let days = self.0.div_euclid(NANOS_PER_DAY);
        let rem = self.0.rem_euclid(NANOS_PER_DAY);
        let (y, m, d) = civil_from_days(days + days_from_civil(2000, 1, 1));
        let secs = rem / NANOS_PER_SEC;
        write!(
            f,
            "{y:04}.{m:02}.{d:02}D{:02}:{:02}:{:02}.{:09}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            rem % NANOS_PER_SEC
        )
    }
}

/// The serde name of each Rayforce newtype: a private marker (the `serde_json::RawValue`
/// technique), so the typed-row codec recognizes these types and never a user's own type
/// that happens to be called `Date`. Other serializers see an ordinary newtype.
pub(crate) mod marker {
    pub const DATE: &str = "$rayforce_client::Date";
    pub const TIME: &str = "$rayforce_client::Time";
    pub const TIMESTAMP: &str = "$rayforce_client::Timestamp";
    pub const GUID: &str = "$rayforce_client::Guid";

    /// The Rayforce type a serde newtype name marks (`"Date"`, `"Time"`, `"Timestamp"`,
    /// `"Guid"`), if it is one of the markers.
    pub fn kind(name: &str) -> Option<&'static str> {
        match name {
            DATE => Some("Date"),
            TIME => Some("Time"),
            TIMESTAMP => Some("Timestamp"),
            GUID => Some("Guid"),
            _ => None,
        }
    }
}

macro_rules! serde_newtype {
    ($($t:ident($inner:ty) = $marker:expr),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct($marker, &self.0)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a Rayforce ", stringify!($t)))
                    }
                    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<$t, D::Error> {
                        <$inner as serde::Deserialize>::deserialize(d).map($t)
                    }
                    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<$t, E> {
                        <$inner>::try_from(n).map($t).map_err(E::custom)
                    }
                    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<$t, E> {
                        <$inner>::try_from(n).map($t).map_err(E::custom)
                    }
                }
                d.deserialize_newtype_struct($marker, V)
            }
        }
    )*};
}
serde_newtype!(
    Date(i32) = marker::DATE,
    Time(i32) = marker::TIME,
    Timestamp(i64) = marker::TIMESTAMP
);

impl serde::Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Bytes<'a>(&'a [u8; 16]);
        impl serde::Serialize for Bytes<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        s.serialize_newtype_struct(marker::GUID, &Bytes(&self.0))
    }
}

impl<'de> serde::Deserialize<'de> for Guid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Guid, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Guid;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("16 GUID bytes or GUID text")
            }
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Guid, D::Error> {
                d.deserialize_bytes(V)
            }
            fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Guid, E> {
                <[u8; 16]>::try_from(b).map(Guid).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Guid, E> {
                s.parse().map_err(E::custom)
            }
        }
        d.deserialize_newtype_struct(marker::GUID, V)
    }
}

macro_rules! debug_as_display {
    ($($t:ty),*) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self)
            }
        }
    )*};
}
debug_as_display!(Date, Time, Timestamp, Guid);

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(feature = "chrono")]
mod chrono_conversions {
    use super::*;

    impl TryFrom<chrono::NaiveDate> for Date {
        type Error = crate::Error;
        fn try_from(d: chrono::NaiveDate) -> crate::Result<Date> {
            use chrono::Datelike;
            Date::from_ymd(d.year(), d.month(), d.day()).ok_or_else(|| crate::Error::TypeMismatch {
                expected: "a date in range".into(),
                actual: d.to_string(),
            })
        }
    }

    impl TryFrom<Date> for chrono::NaiveDate {
        type Error = crate::Error;
        fn try_from(d: Date) -> crate::Result<chrono::NaiveDate> {
            let (y, m, dd) = d.to_ymd();
            chrono::NaiveDate::from_ymd_opt(y, m, dd).ok_or_else(|| crate::Error::TypeMismatch {
                expected: "a date chrono can hold".into(),
                actual: d.to_string(),
            })
        }
    }

    impl TryFrom<chrono::NaiveTime> for Time {
        type Error = crate::Error;
        fn try_from(t: chrono::NaiveTime) -> crate::Result<Time> {
            use chrono::Timelike;
            if t.nanosecond() % 1_000_000 != 0 {
                return Err(crate::Error::TypeMismatch {
                    expected: "a whole-millisecond time".into(),
                    actual: t.to_string(),
                });
            }
            Ok(Time(
                (t.num_seconds_from_midnight() * 1000 + t.nanosecond() / 1_000_000) as i32,
            ))
        }
    }

    impl TryFrom<Time> for chrono::NaiveTime {
        type Error = crate::Error;
        fn try_from(t: Time) -> crate::Result<chrono::NaiveTime> {
            let ms = u32::try_from(t.0)
                .ok()
                .filter(|ms| *ms < MILLIS_PER_DAY as u32);
            ms.and_then(|ms| {
                chrono::NaiveTime::from_num_seconds_from_midnight_opt(
                    ms / 1000,
                    (ms % 1000) * 1_000_000,
                )
            })
            .ok_or_else(|| crate::Error::TypeMismatch {
                expected: "a time of day".into(),
                actual: t.to_string(),
            })
        }
    }

    impl TryFrom<chrono::NaiveDateTime> for Timestamp {
        type Error = crate::Error;
        fn try_from(t: chrono::NaiveDateTime) -> crate::Result<Timestamp> {
            let base = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("2000-01-01 is a valid date");
            (t - base)
                .num_nanoseconds()
                .filter(|n| *n != i64::MIN)
                .map(Timestamp)
                .ok_or_else(|| crate::Error::TypeMismatch {
                    expected: "a timestamp in range".into(),
                    actual: t.to_string(),
                })
        }
    }

    impl From<Timestamp> for chrono::NaiveDateTime {
        fn from(t: Timestamp) -> chrono::NaiveDateTime {
            let base = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("2000-01-01 is a valid date");
            base + chrono::Duration::nanoseconds(t.0)
        }
    }

    impl TryFrom<chrono::DateTime<chrono::Utc>> for Timestamp {
        type Error = crate::Error;
        fn try_from(t: chrono::DateTime<chrono::Utc>) -> crate::Result<Timestamp> {
            Timestamp::try_from(t.naive_utc())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_the_server_epoch() {
        assert_eq!(Date::from_ymd(2000, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(1999, 12, 31), Some(Date(-1)));
        assert_eq!(Date::from_ymd(2024, 1, 2), Some(Date(8767)));
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert_eq!(Date(-1).to_string(), "1999.12.31");
        for days in [-800_000, -1, 0, 59, 60, 366, 8767, 2_000_000] {
            let (y, m, d) = Date(days).to_ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)));
        }
    }

    #[test]
    fn timestamps_print_and_convert() {
        assert_eq!(Timestamp(0).to_string(), "2000.01.01D00:00:00.000000000");
        assert_eq!(Timestamp(-1).to_string(), "1999.12.31D23:59:59.999999999");
        assert_eq!(Timestamp::NULL.to_string(), "0Np");
        let t = Timestamp(-5);
        assert_eq!(Timestamp::try_from(t.to_system_time()).unwrap(), t);
        assert_eq!(Time(45_296_789).to_string(), "12:34:56.789");
        assert_eq!(
            Time::try_from(Duration::from_millis(1000)).unwrap(),
            Time(1000)
        );
        assert!(Time::try_from(Duration::from_secs(86_400)).is_err());
    }

    #[test]
    fn guids_parse_strictly() {
        assert!("zz112233-4455-6677-8899-aabbccddeeff"
            .parse::<Guid>()
            .is_err());
        assert!("0011".parse::<Guid>().is_err());
    }
}
