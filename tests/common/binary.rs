//! Running the `sa2rs` binary: with a timeout (a hang is a failure, not a stuck test suite),
//! reading both pipes concurrently so that a large output cannot deadlock the child.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of the binary produced.
pub struct Run {
    /// The exit code; `None` when the process was killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_no_panic(&self) {
        assert_ne!(
            self.code,
            Some(101),
            "the binary panicked:\n{}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "the binary panicked:\n{}",
            self.stderr
        );
    }
}

/// The binary under test, with no standard input.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sa2rs"));
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to completion; panics when it takes longer than `timeout`.
pub fn run(mut cmd: Command, timeout: Duration) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sa2rs");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        out.read_to_end(&mut buf).map(|_| buf)
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        err.read_to_end(&mut buf).map(|_| buf)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for sa2rs") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "sa2rs {:?} did not finish within {timeout:?}",
                cmd.get_args()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = out.join().unwrap().expect("read stdout");
    let stderr = err.join().unwrap().expect("read stderr");
    Run {
        code: status.code(),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}
