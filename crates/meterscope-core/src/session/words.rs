//! What every session says about the line in the same words, in both
//! languages: the notices and failures all families share (noise skipped, a
//! frame cut off, a damaged frame, a request sent again, no reply). Each
//! family's `Notice::text` and `Failure::text` word these through here.

use crate::Lang;

/// `Display` in English (for logs) for a type with `text(lang)`: what
/// surfaces show is `text` in their language.
macro_rules! english_display {
    ($($t:ty),+) => {$(
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.text($crate::Lang::En))
            }
        }
    )+};
}
pub(crate) use english_display;

/// Bytes that were no frame.
pub fn junk(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{n} byte(s) of noise skipped"),
        Lang::Zh => format!("跳过 {n} 字节噪声"),
    }
}

/// A frame whose bytes stopped arriving.
pub fn incomplete(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{n} byte(s) of an unfinished frame dropped"),
        Lang::Zh => format!("丢弃未收完的帧 {n} 字节"),
    }
}

/// A frame with a wrong check or shape (its bytes in hex).
pub fn garbled(hex: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("damaged frame: {hex}"),
        Lang::Zh => format!("损坏的帧：{hex}"),
    }
}

/// A request sent again.
pub fn retry(attempt: u8, lang: Lang) -> String {
    match lang {
        Lang::En => format!("sending again (attempt {attempt})"),
        Lang::Zh => format!("重发（第 {attempt} 次）"),
    }
}

/// No usable reply after every attempt.
pub fn timeout(attempts: u8, lang: Lang) -> String {
    match lang {
        Lang::En => format!("no reply after {attempts} attempt(s)"),
        Lang::Zh => format!("{attempts} 次请求均无应答"),
    }
}

/// A reply whose data does not have the layout it should (its bytes in hex).
pub fn bad_reply(hex: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("a reply of the wrong layout: {hex}"),
        Lang::Zh => format!("应答格式不符：{hex}"),
    }
}

/// Our own request came back (an RS-485 adapter's or an optical head's echo).
pub fn echo(lang: Lang) -> String {
    lang.pick("echo of our request ignored", "忽略本机请求的回显").into()
}
