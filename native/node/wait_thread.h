// waitAsync's thread: one per reactor, so a wait never holds one of libuv's few shared pool
// threads (fs, dns and crypto need them), and a terminating worker's environment can end it.
#ifndef IO_REACTOR_WAIT_THREAD_H
#define IO_REACTOR_WAIT_THREAD_H
#include <napi.h>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

extern "C" {
#include "common/shim.h"
}

class WaitThread {
public:
  using Done = std::function<void(Napi::Env, int results)>;

  ~WaitThread() { Stop(); }

  // Harvests on the thread; `done` then runs on the JS thread with the result count.
  void Start(Napi::Env env, shim *s, double timeout_ms, Done done) {
    if (!thread_.joinable()) Launch(env, s);
    done_ = std::move(done);
    tsfn_.Ref(env);   // a pending waitAsync keeps the process alive, as pending I/O does
    {
      std::lock_guard<std::mutex> g(lock_);
      timeout_ms_ = timeout_ms;
      job_ = true;
    }
    cv_.notify_one();
  }

  // Ends the thread, waking a harvest in progress first. Idempotent.
  void Stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> g(lock_);
      stop_ = true;
    }
    cv_.notify_one();
    shim_wake(shim_);
    thread_.join();
    if (tsfn_alive_) tsfn_.Release();
    tsfn_alive_ = false;
  }

private:
  void Launch(Napi::Env env, shim *s) {
    shim_ = s;
    tsfn_ = Napi::ThreadSafeFunction::New(env, Napi::Function(), "io-reactor waitAsync", 0, 1, this,
                                          [](Napi::Env, WaitThread *self) { self->OnEnvironmentGone(); });
    tsfn_alive_ = true;
    tsfn_.Unref(env);
    thread_ = std::thread([this] { Run(); });
  }

  // The environment is closing (e.g. worker.terminate()): end a wait in progress and the thread.
  void OnEnvironmentGone() {
    tsfn_alive_ = false;
    Stop();
  }

  void Run() {
    for (;;) {
      double timeout_ms;
      {
        std::unique_lock<std::mutex> g(lock_);
        cv_.wait(g, [this] { return job_ || stop_; });
        if (stop_) return;
        job_ = false;
        timeout_ms = timeout_ms_;
      }
      int results = shim_harvest(shim_, timeout_ms);
      napi_status st = tsfn_.BlockingCall([this, results](Napi::Env env, Napi::Function) {
        tsfn_.Unref(env);
        Done done = std::move(done_);
        done(env, results);
      });
      if (st != napi_ok) return;   // closing: nobody is left to tell
    }
  }

  shim *shim_ = nullptr;
  std::thread thread_;
  std::mutex lock_;
  std::condition_variable cv_;
  bool job_ = false, stop_ = false, tsfn_alive_ = false;
  double timeout_ms_ = 0;
  Napi::ThreadSafeFunction tsfn_;
  Done done_;
};
#endif
