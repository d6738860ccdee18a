// The N-API binding: one Shim object per reactor (one call per wait cycle) and the socket
// helpers. Failures come back as negative errno values; src/ turns them into ReactorError.
#include <napi.h>
#include <cerrno>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "wait_thread.h"

extern "C" {
#include "common/shim.h"
#include "common/sockets.h"
#if defined(__linux__)
#include "unix/os_uring.h"
#endif
}

namespace {

// Wakeup tokens: worker threads wake a reactor by token, never by raw handle, so a stale token
// after destroy is a harmless ENOENT instead of a wake of whatever reused the handle. The lock
// also keeps a shim from closing while another thread wakes it.
std::mutex tokens_lock;
std::unordered_map<uint32_t, shim *> tokens;
std::atomic<uint32_t> next_token{1};

uint32_t register_token(shim *s) {
  std::lock_guard<std::mutex> g(tokens_lock);
  uint32_t id = next_token++;
  tokens[id] = s;
  return id;
}

void forget_token(uint32_t id) {
  std::lock_guard<std::mutex> g(tokens_lock);
  tokens.erase(id);
}

int wake_by_token(uint32_t id) {
  std::lock_guard<std::mutex> g(tokens_lock);
  auto it = tokens.find(id);
  if (it == tokens.end()) return -ENOENT;
  return shim_wake(it->second);
}

class Shim : public Napi::ObjectWrap<Shim> {
public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Shim",
                       {
                           InstanceMethod("apply", &Shim::Apply),
                           InstanceMethod("cycle", &Shim::Cycle),
                           InstanceMethod("cycleAsync", &Shim::CycleAsync),
                           InstanceMethod("wakeup", &Shim::Wakeup),
                           InstanceMethod("close", &Shim::Close),
                           InstanceAccessor("wakeToken", &Shim::WakeToken, nullptr),
                           InstanceAccessor("openError", &Shim::OpenError, nullptr),
                           InstanceAccessor("waitsInterrupted", &Shim::WaitsInterrupted, nullptr),
                       });
  }

  // new Shim(memory, model, mechanism, poolSize, maxSockets, requestsAt, resultsAt, resultCapacity, providedAt)
  explicit Shim(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Shim>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 9 || !info[0].IsArrayBuffer()) {
      Napi::TypeError::New(
          env, "Shim(memory, model, mechanism, pool, sockets, requestsAt, resultsAt, resultCapacity, providedAt)")
          .ThrowAsJavaScriptException();
      return;
    }
    Napi::ArrayBuffer memory = info[0].As<Napi::ArrayBuffer>();
    memory_ref_ = Napi::Persistent(memory);
    shim_config cfg{};
    uint8_t *base = static_cast<uint8_t *>(memory.Data());
    cfg.buffers = base;
    cfg.model = info[1].As<Napi::Number>().Int32Value();
    cfg.mechanism = info[2].As<Napi::Number>().Int32Value();
    cfg.pool_size = info[3].As<Napi::Number>().Int32Value();
    cfg.max_sockets = info[4].As<Napi::Number>().Int32Value();
    cfg.requests = reinterpret_cast<const seam_request *>(base + info[5].As<Napi::Number>().Uint32Value());
    cfg.results = reinterpret_cast<seam_result *>(base + info[6].As<Napi::Number>().Uint32Value());
    cfg.result_capacity = info[7].As<Napi::Number>().Uint32Value();
    cfg.provided = reinterpret_cast<const seam_provided *>(base + info[8].As<Napi::Number>().Uint32Value());
    open_error_ = shim_open(&shim_, &cfg);
    if (open_error_ == 0) {
      open_ = true;
      token_ = register_token(&shim_);
    }
  }

  ~Shim() override { Release(); }

private:
  void Release() {
    if (!open_) return;
    open_ = false;
    forget_token(token_);
    waiter_.Stop();
    shim_close(&shim_);
  }

  // apply(requests): performs the requests without waiting, returns the results written.
  Napi::Value Apply(const Napi::CallbackInfo &info) {
    if (!open_) return Napi::Number::New(info.Env(), open_error_ ? open_error_ : -EBADF);
    if (busy_) return Napi::Number::New(info.Env(), -EBUSY);
    return Napi::Number::New(info.Env(), shim_apply_alone(&shim_, info[0].As<Napi::Number>().Int32Value()));
  }

  // cycle(requests, timeoutMs): performs the requests, waits, returns the results written.
  Napi::Value Cycle(const Napi::CallbackInfo &info) {
    if (!open_) return Napi::Number::New(info.Env(), open_error_ ? open_error_ : -EBADF);
    if (busy_) return Napi::Number::New(info.Env(), -EBUSY);
    int requests = info[0].As<Napi::Number>().Int32Value();
    double timeout_ms = info[1].As<Napi::Number>().DoubleValue();
    shim_apply(&shim_, requests);
    return Napi::Number::New(info.Env(), shim_harvest(&shim_, timeout_ms));
  }

  // cycleAsync(requests, timeoutMs): requests now, the wait on this reactor's thread; resolves the count.
  Napi::Value CycleAsync(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!open_ || busy_) {
      auto d = Napi::Promise::Deferred::New(env);
      d.Resolve(Napi::Number::New(env, open_ ? -EBUSY : -EBADF));
      return d.Promise();
    }
    // Alone: the wait may not be on this thread, and must find the requests in the kernel.
    shim_apply_alone(&shim_, info[0].As<Napi::Number>().Int32Value());
    busy_ = true;
    auto deferred = std::make_shared<Napi::Promise::Deferred>(Napi::Promise::Deferred::New(env));
    Ref();
    waiter_.Start(env, &shim_, info[1].As<Napi::Number>().DoubleValue(), [this, deferred](Napi::Env env, int results) {
      busy_ = false;
      if (close_pending_) Release();
      Unref();
      deferred->Resolve(Napi::Number::New(env, results));
    });
    return deferred->Promise();
  }

  Napi::Value Wakeup(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), open_ ? shim_wake(&shim_) : -EBADF);
  }

  // Idempotent; under a pending cycleAsync the OS handles go when it settles.
  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (busy_) {
      close_pending_ = true;
      shim_wake(&shim_);
    } else {
      Release();
    }
    return info.Env().Undefined();
  }

  Napi::Value WakeToken(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), token_); }
  // What the OS refused at open (a negative errno, or Win32 code), 0 when open.
  Napi::Value OpenError(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), open_error_); }
  Napi::Value WaitsInterrupted(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), static_cast<double>(shim_.waits_interrupted));
  }

  shim shim_{};
  WaitThread waiter_;
  Napi::Reference<Napi::ArrayBuffer> memory_ref_;
  bool open_ = false, busy_ = false, close_pending_ = false;
  int open_error_ = 0;
  uint32_t token_ = 0;
};

int32_t fd_arg(const Napi::CallbackInfo &info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

Napi::Value SocketPair(const Napi::CallbackInfo &info) {
  int fds[2];
  int rc = sock_pair(fds);
  if (rc < 0) return Napi::Number::New(info.Env(), rc);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

Napi::Value Listen(const Napi::CallbackInfo &info) {
  std::string host = info[0].As<Napi::String>();
  int port = 0;
  int fd = sock_listen(host.c_str(), fd_arg(info, 1), fd_arg(info, 2), &port);
  if (fd < 0) return Napi::Number::New(info.Env(), fd);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, fd);
  out.Set(1u, port);
  return out;
}

Napi::Value Connect(const Napi::CallbackInfo &info) {
  std::string host = info[0].As<Napi::String>();
  return Napi::Number::New(info.Env(), sock_connect(host.c_str(), fd_arg(info, 1)));
}

Napi::Value Accept(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), sock_accept(fd_arg(info, 0)));
}

// The socket helpers' staging: a frame and a few lent byte regions per JS environment (the main
// thread, each worker), made by JS and lent once each. recvLent and sendLent run once per message,
// so they cross with nothing to convert: their arguments and result sit in the frame (an Int32Array
// JS reads and writes directly; N-API's number conversions were ~7 % of a 64 B echo server's user
// time), and they are plain N-API callbacks with their Staging as callback data (node-addon-api's
// wrapper and an instance-data lookup were measurable too). The bytes are an ArrayBuffer lent
// once, not a Uint8Array passed per call: its conversion cost about five times the rest of a call.
// JS decides what each region holds (its staging copy, the app's receive and send buffers).
enum StagedFrame { FRAME_FD, FRAME_BYTES, FRAME_RESULT, FRAME_REGION, FRAME_OFFSET, FRAME_INTS };
enum { LENT_REGIONS = 3 };

struct LentRegion {
  Napi::Reference<Napi::ArrayBuffer> memory;
  uint8_t *data = nullptr;
  size_t size = 0;
};

struct Staging {
  Napi::Reference<Napi::ArrayBuffer> frame_memory;
  int32_t *frame = nullptr;
  LentRegion regions[LENT_REGIONS];
};

// lendFrame(frame): the ArrayBuffer (stagedFrame.ints int32s) the lent calls' arguments and result
// cross in.
Napi::Value LendFrame(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer() ||
      info[0].As<Napi::ArrayBuffer>().ByteLength() < FRAME_INTS * sizeof(int32_t)) {
    Napi::TypeError::New(env, "lendFrame(frame: ArrayBuffer of stagedFrame.ints int32s)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer frame = info[0].As<Napi::ArrayBuffer>();
  Staging *staging = static_cast<Staging *>(info.Data());
  staging->frame_memory = Napi::Persistent(frame);
  staging->frame = static_cast<int32_t *>(frame.Data());
  return env.Undefined();
}

// lendBytes(region, bytes): the ArrayBuffer recvLent and sendLent use when frame[FRAME_REGION] is
// region, held until another is lent there. JS lends only what cannot move: a detached buffer is
// never used again, as its views then have no length.
Napi::Value LendBytes(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArrayBuffer()) {
    Napi::TypeError::New(env, "lendBytes(region: number, bytes: ArrayBuffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int32_t region = info[0].As<Napi::Number>().Int32Value();
  if (region < 0 || region >= LENT_REGIONS) {
    Napi::RangeError::New(env, "lendBytes: region must be below stagedFrame.regions").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer buffer = info[1].As<Napi::ArrayBuffer>();
  LentRegion &lent = static_cast<Staging *>(info.Data())->regions[region];
  lent.memory = Napi::Persistent(buffer);
  lent.data = static_cast<uint8_t *>(buffer.Data());
  lent.size = buffer.ByteLength();
  return env.Undefined();
}

// The first environment to load the addon (the main thread's, in practice) and its Staging: its
// lent calls find their Staging by the env they are called with, without napi_get_cb_info (a
// sixth of a lent call's instructions). Other environments (workers) ask N-API. first_staging is
// written before first_env is published, by the thread that claimed it, the only one whose env
// can then match.
std::atomic<bool> first_claimed{false};
std::atomic<napi_env> first_env{nullptr};
Staging *first_staging = nullptr;

void claim_first(napi_env env, Staging *staging) {
  if (first_claimed.exchange(true)) return;
  first_staging = staging;
  first_env.store(env, std::memory_order_release);
}

// With the environment: its Staging, and the fast path if it was the first.
void forget_staging(Napi::Env env, Staging *staging) {
  if (first_env.load(std::memory_order_acquire) == static_cast<napi_env>(env)) first_env.store(nullptr);
  delete staging;
}

Staging *staging_of(napi_env env, napi_callback_info info) {
  if (first_env.load(std::memory_order_acquire) == env) return first_staging;
  void *data = nullptr;
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, nullptr, nullptr, &data) != napi_ok) return nullptr;
  return static_cast<Staging *>(data);
}

// The bytes a lent call names: frame[FRAME_BYTES] at frame[FRAME_OFFSET] of region
// frame[FRAME_REGION], capped at the region's end; nullptr when the frame names none.
uint8_t *lent_bytes(napi_env env, napi_callback_info info, size_t *bytes, int32_t **frame) {
  Staging *staging = staging_of(env, info);
  if (!staging) return nullptr;
  int32_t *f = staging->frame;
  if (!f) return nullptr;
  *frame = f;
  int32_t region = f[FRAME_REGION], offset = f[FRAME_OFFSET], n = f[FRAME_BYTES];
  if (region < 0 || region >= LENT_REGIONS || offset < 0 || n < 0) return nullptr;
  const LentRegion &lent = staging->regions[region];
  if (!lent.data || static_cast<size_t>(offset) > lent.size) return nullptr;
  size_t room = lent.size - static_cast<size_t>(offset);
  *bytes = static_cast<size_t>(n) < room ? static_cast<size_t>(n) : room;
  return lent.data + offset;
}

// sendLent(): sends the bytes the frame names to frame[FRAME_FD]; frame[FRAME_RESULT]: bytes
// taken, or -errno (-EINVAL when the frame names no lent bytes).
napi_value SendLent(napi_env env, napi_callback_info info) {
  size_t n = 0;
  int32_t *frame = nullptr;
  uint8_t *bytes = lent_bytes(env, info, &n, &frame);
  if (frame) frame[FRAME_RESULT] = bytes ? static_cast<int32_t>(sock_send(frame[FRAME_FD], bytes, n)) : -EINVAL;
  return nullptr;
}

// recvLent(): receives up to the bytes the frame names from frame[FRAME_FD] into them;
// frame[FRAME_RESULT]: bytes received (0 at end of stream), or -errno.
napi_value RecvLent(napi_env env, napi_callback_info info) {
  size_t n = 0;
  int32_t *frame = nullptr;
  uint8_t *bytes = lent_bytes(env, info, &n, &frame);
  if (frame) frame[FRAME_RESULT] = bytes ? static_cast<int32_t>(sock_recv(frame[FRAME_FD], bytes, n)) : -EINVAL;
  return nullptr;
}

void export_staged(Napi::Env env, Napi::Object exports, const char *name, napi_callback callback, Staging *staging) {
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, staging, &fn));
  exports.Set(name, Napi::Value(env, fn));
}

// The frame's layout, shared with JS, defined here once.
Napi::Object staged_frame(Napi::Env env) {
  Napi::Object frame = Napi::Object::New(env);
  frame.Set("fd", static_cast<int>(FRAME_FD));
  frame.Set("bytes", static_cast<int>(FRAME_BYTES));
  frame.Set("result", static_cast<int>(FRAME_RESULT));
  frame.Set("region", static_cast<int>(FRAME_REGION));
  frame.Set("offset", static_cast<int>(FRAME_OFFSET));
  frame.Set("ints", static_cast<int>(FRAME_INTS));
  frame.Set("regions", static_cast<int>(LENT_REGIONS));
  return frame;
}

Napi::Value Shutdown(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), sock_shutdown(fd_arg(info, 0)));
}
Napi::Value CloseFd(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), sock_close(fd_arg(info, 0)));
}
// getsockname(fd) and getpeername(fd): [address, port], or -errno.
Napi::Value SockName(const Napi::CallbackInfo &info, int peer) {
  char text[SOCK_NAME_TEXT_BYTES];
  int port = 0;
  int rc = sock_name(fd_arg(info, 0), peer, text, &port);
  if (rc < 0) return Napi::Number::New(info.Env(), rc);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::String::New(info.Env(), text));
  out.Set(1u, port);
  return out;
}
Napi::Value GetSockName(const Napi::CallbackInfo &info) { return SockName(info, 0); }
Napi::Value GetPeerName(const Napi::CallbackInfo &info) { return SockName(info, 1); }
Napi::Value FdKind(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), fd_kind(fd_arg(info, 0))); }
Napi::Value WakeByToken(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), wake_by_token(info[0].As<Napi::Number>().Uint32Value()));
}

#if defined(__linux__)
// ioUringRefusal(): 0 when this kernel opens an io_uring, else -errno (the completion model's
// default mechanism depends on it).
Napi::Value IoUringRefusal(const Napi::CallbackInfo &info) {
  intptr_t ring;
  int rc = os_uring_open(2, &ring);
  if (rc == 0) os_uring_shut(ring);
  return Napi::Number::New(info.Env(), rc);
}
#endif

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Shim", Shim::Define(env));
  exports.Set("socketPair", Napi::Function::New(env, SocketPair));
  exports.Set("listen", Napi::Function::New(env, Listen));
  exports.Set("connect", Napi::Function::New(env, Connect));
  exports.Set("accept", Napi::Function::New(env, Accept));
  auto *staging = new Staging();
  env.SetInstanceData<Staging, forget_staging>(staging);
  claim_first(env, staging);
  exports.Set("lendFrame", Napi::Function::New(env, LendFrame, "lendFrame", staging));
  exports.Set("lendBytes", Napi::Function::New(env, LendBytes, "lendBytes", staging));
  exports.Set("stagedFrame", staged_frame(env));
  export_staged(env, exports, "sendLent", SendLent, staging);
  export_staged(env, exports, "recvLent", RecvLent, staging);
  exports.Set("shutdown", Napi::Function::New(env, Shutdown));
  exports.Set("close", Napi::Function::New(env, CloseFd));
  exports.Set("fdKind", Napi::Function::New(env, FdKind));
  exports.Set("getsockname", Napi::Function::New(env, GetSockName));
  exports.Set("getpeername", Napi::Function::New(env, GetPeerName));
  exports.Set("wakeByToken", Napi::Function::New(env, WakeByToken));
#if defined(__linux__)
  exports.Set("ioUringRefusal", Napi::Function::New(env, IoUringRefusal));
#endif
  return exports;
}

}   // namespace

NODE_API_MODULE(io_reactor, Init)
