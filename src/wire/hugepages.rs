//! Large column buffers ask the kernel for transparent huge pages, so filling an 80 MB
//! column costs 40 page faults instead of 20,000 (Linux only; a hint, never required).

/// A vector with room for `n` elements whose large buffer asks for huge pages (used by
/// the derive's row decoders, through `__private`).
pub fn vec_with_capacity<T>(n: usize) -> Vec<T> {
    let v = Vec::with_capacity(n);
    advise(&v);
    v
}

/// Columns smaller than this are left alone.
const THRESHOLD: usize = 4 << 20;

/// Advises the kernel to back `v`'s (not yet touched) capacity with huge pages.
pub(crate) fn advise<T>(v: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < THRESHOLD {
            return;
        }
        let start = (v.as_ptr() as usize).next_multiple_of(HUGE);
        let end = (v.as_ptr() as usize + bytes) & !(HUGE - 1);
        if end > start {
            // SAFETY: the range lies inside `v`'s own allocation; MADV_HUGEPAGE changes
            // only how the kernel backs those pages, never their contents or validity.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}
