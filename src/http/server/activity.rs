//! What a connection is doing, for its watchdog: busy (requests in
//! flight), idle (waiting for the next request, nothing received), or
//! reading a request's head (bytes received, no request yet). The socket
//! wrapper reports bytes read; the service reports requests started and
//! their responses finished (a guard in the response body).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The connection's state and when it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// This many requests are in flight.
    Busy(usize),
    /// No request in flight and nothing received since.
    Idle(Instant),
    /// Bytes of a request head received (or a fresh connection).
    ReadingHead(Instant),
}

/// A connection's activity, shared by its socket, its service and its watchdog.
pub(super) struct Activity {
    state: Mutex<State>,
    /// Set while idle, so that reading bytes costs one load otherwise.
    idle: AtomicBool,
    /// Woken on every change of state.
    pub changed: Notify,
}

impl Activity {
    /// A fresh connection: its first request's head is awaited.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::ReadingHead(Instant::now())),
            idle: AtomicBool::new(false),
            changed: Notify::new(),
        })
    }

    pub fn state(&self) -> State {
        *self.lock()
    }

    /// A request's head has been read: the connection is busy until the
    /// returned guard is dropped (its response finished or abandoned).
    pub fn request_started(self: &Arc<Self>) -> RequestGuard {
        self.set(|state| match state {
            State::Busy(n) => State::Busy(n + 1),
            _ => State::Busy(1),
        });
        RequestGuard(Arc::clone(self))
    }

    fn request_finished(&self) {
        self.set(|state| match state {
            State::Busy(n) if n > 1 => State::Busy(n - 1),
            _ => State::Idle(Instant::now()),
        });
    }

    fn bytes_read(&self) {
        if !self.idle.load(Ordering::Relaxed) {
            return;
        }
        self.set(|state| match state {
            State::Idle(_) => State::ReadingHead(Instant::now()),
            other => other,
        });
    }

    fn set(&self, next: impl FnOnce(State) -> State) {
        let mut state = self.lock();
        *state = next(*state);
        self.idle
            .store(matches!(*state, State::Idle(_)), Ordering::Relaxed);
        drop(state);
        self.changed.notify_waiters();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Held while a request is in flight (moved into its response body).
pub(super) struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

pin_project_lite::pin_project! {
    /// A socket that reports the bytes it reads.
    pub(super) struct Watched<S> {
        #[pin]
        inner: S,
        activity: Arc<Activity>,
    }
}

impl<S> Watched<S> {
    pub fn new(inner: S, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<S: AsyncRead> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        let polled = this.inner.poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.bytes_read();
        }
        polled
    }
}

impl<S: AsyncWrite> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request counted as in flight until
    /// it has been sent (or dropped).
    pub(super) struct TrackedBody<B> {
        #[pin]
        inner: B,
        guard: RequestGuard,
    }
}

impl<B> TrackedBody<B> {
    pub fn new(inner: B, guard: RequestGuard) -> Self {
        Self { inner, guard }
    }
}

impl<B: http_body::Body> http_body::Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_connection_is_busy_while_requests_run_then_idle_then_reading_again() {
        let activity = Activity::new();
        assert!(matches!(activity.state(), State::ReadingHead(_)));
        let first = activity.request_started();
        let second = activity.request_started();
        assert_eq!(activity.state(), State::Busy(2));
        drop(first);
        assert_eq!(activity.state(), State::Busy(1));
        drop(second);
        let State::Idle(since) = activity.state() else {
            panic!("idle after the last response");
        };
        tokio::time::advance(std::time::Duration::from_secs(3)).await;
        activity.bytes_read();
        assert_eq!(
            activity.state(),
            State::ReadingHead(since + std::time::Duration::from_secs(3))
        );
    }
}
