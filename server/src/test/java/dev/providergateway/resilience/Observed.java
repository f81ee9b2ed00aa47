package dev.providergateway.resilience;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of one asynchronous call: collects what arrives and keeps the call, so a test can
 * send on it (Converse) or cancel it.
 */
final class Observed<ReqT, RespT> implements ClientResponseObserver<ReqT, RespT> {
  final LinkedBlockingQueue<RespT> received = new LinkedBlockingQueue<>();
  final CountDownLatch ended = new CountDownLatch(1);
  volatile Throwable error;
  volatile ClientCallStreamObserver<ReqT> call;

  @Override
  public void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
    call = requestStream;
  }

  /** The next message, waiting up to 5 s. */
  RespT next() throws InterruptedException {
    RespT r = received.poll(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("nothing received within 5 s; error " + error);
    }
    return r;
  }

  @Override
  public void onNext(RespT value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {
    error = t;
    ended.countDown();
  }

  @Override
  public void onCompleted() {
    ended.countDown();
  }
}
