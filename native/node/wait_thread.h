// waitAsync's thread: one per reactor, so a wait never holds one of libuv's few shared pool
// threads (fs, dns and crypto need them), and a terminating worker's environment can end it.
#ifndef IO_REACTOR_WAIT_THREAD_H
#define IO_REACTOR_WAIT_THREAD_H
#include <napi.h>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

extern "C" {
#include "common/shim.h"
}

class WaitThread {
public:
  using Done = std::function<void(Napi::Env, int results)>;

  // Calls still queued for the JS thread, and the environment's goodbye, may come after this
  // object is freed (a garbage-collected reactor with a wait in progress): they check `alive_`.
  ~WaitThread() {
    Stop();
    *alive_ = false;
  }

  // Harvests on the thread (or, for a shim that harvests at home, waits there and harvests on
  // the JS thread); `done` then runs on the JS thread with the result count.
  void Start(Napi::Env env, shim *s, double timeout_ms, Done done) {
    if (!thread_.joinable()) Launch(env, s);
    done_ = std::move(done);
    tsfn_.Ref(env);   // a pending waitAsync keeps the process alive, as pending I/O does
    forever_ = timeout_ms < 0;
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double, std::milli>(forever_ ? 0 : timeout_ms));
    Post(timeout_ms);
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
  using Clock = std::chrono::steady_clock;
  // The thread-safe function's context: whom to tell the environment is closing, while alive.
  struct Link {
    WaitThread *self;
    std::shared_ptr<bool> alive;
  };

  void Post(double timeout_ms) {
    {
      std::lock_guard<std::mutex> g(lock_);
      timeout_ms_ = timeout_ms;
      job_ = true;
    }
    cv_.notify_one();
  }

  // On the JS thread, after shim_await: what the shim has for the app, or the wait goes on for
  // the time left when there is nothing yet (only its own bookkeeping came in).
  bool HarvestAtHome(int *results) {
    *results = shim_harvest(shim_, 0);
    if (*results > shim_->bookkeeping || shim_->woken) return true;
    double left = std::chrono::duration<double, std::milli>(deadline_ - Clock::now()).count();
    if (!forever_ && left <= 0) return true;
    Post(forever_ ? -1 : left);
    return false;
  }

  bool Stopped() {
    std::lock_guard<std::mutex> g(lock_);
    return stop_;
  }

  void Launch(Napi::Env env, shim *s) {
    shim_ = s;
    tsfn_ = Napi::ThreadSafeFunction::New(env, Napi::Function(), "io-reactor waitAsync", 0, 1, new Link{this, alive_},
                                          [](Napi::Env, Link *link) {
                                            if (*link->alive) link->self->OnEnvironmentGone();
                                            delete link;
                                          });
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
      bool at_home = shim_harvests_at_home(shim_);
      int results = at_home ? shim_await(shim_, timeout_ms) : shim_harvest(shim_, timeout_ms);
      napi_status st =
          tsfn_.BlockingCall([this, alive = alive_, at_home, results](Napi::Env env, Napi::Function) mutable {
            if (!*alive) return;   // its reactor was collected: nobody waits for the result
            if (at_home && Stopped()) results = 0;
            else if (at_home && !HarvestAtHome(&results)) return;
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
  bool forever_ = false;   // the JS thread's: the waitAsync in progress has no timeout
  double timeout_ms_ = 0;
  Clock::time_point deadline_;
  Napi::ThreadSafeFunction tsfn_;
  Done done_;
  // Read and written on the JS thread only (the destructor, queued calls, the finalizer).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};
#endif
