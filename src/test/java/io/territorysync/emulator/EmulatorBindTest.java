package io.territorysync.emulator;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Clock;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The standalone emulator is reachable from this machine only, unless told otherwise. */
class EmulatorBindTest {

  /** An address of this machine that is not the loopback, if it has one. */
  static Optional<InetAddress> outward() throws Exception {
    for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!n.isUp() || n.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(n.getInetAddresses())) {
        if (a instanceof java.net.Inet4Address) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void listensOnTheLoopbackOnlyByDefault() throws Exception {
    Optional<InetAddress> outward = outward();
    Assumptions.assumeTrue(outward.isPresent(), "this machine has no other address to try");
    OrgEmulator emulator = new OrgEmulator(EmulatorSettings.defaults(), Clock.systemUTC(), 1);
    EmulatorServer server = EmulatorServer.start(emulator, 0);
    try {
      try (Socket local = new Socket()) {
        local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
        assertTrue(local.isConnected());
      }
      assertThrows(
          java.net.ConnectException.class,
          () -> {
            try (Socket remote = new Socket()) {
              remote.connect(new InetSocketAddress(outward.get(), server.port()), 5000);
            }
          });
    } finally {
      server.close();
    }
  }
}
