package dev.providergateway.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The local cooldown map stays bounded whatever keys callers' model ids make. */
class LocalCooldownsTest {
  private final MutableClock clock = MutableClock.followingRealTime();

  @Test
  void put_manyExpiredKeys_prunedWhenFull() {
    LocalState.LocalCooldowns map = new LocalState.LocalCooldowns(clock);
    for (int i = 0; i < CooldownMap.MAX_KEYS; i++) {
      map.put("p/d/m" + i, new CooldownMap.Cooldown(clock.instant().plusSeconds(1), false, "x"));
    }
    clock.advance(Duration.ofSeconds(2));

    map.put("p/d/new", new CooldownMap.Cooldown(clock.instant().plusSeconds(30), false, "x"));

    assertThat(map.size()).isEqualTo(1);
    assertThat(map.get("p/d/new", clock.instant())).isPresent();
  }

  @Test
  void put_manyUnexpiredKeys_boundedAtTwiceMaxKeys() {
    LocalState.LocalCooldowns map = new LocalState.LocalCooldowns(clock);
    for (int i = 0; i < 3 * CooldownMap.MAX_KEYS; i++) {
      map.put("p/d/m" + i, new CooldownMap.Cooldown(clock.instant().plusSeconds(60), false, "x"));
    }

    assertThat(map.size()).isEqualTo(2 * CooldownMap.MAX_KEYS);
  }
}
