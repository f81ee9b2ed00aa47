package dev.providergateway.provider.echo;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Creates {@code echo} providers. One instance named {@code echo} is always auto-registered, so a
 * gateway with no configuration answers at once.
 */
public final class EchoProviderFactory implements ProviderFactory {
  /** The factory type and the auto-registered instance name. */
  public static final String TYPE = "echo";

  // One daemon timer for the delays of every echo instance; it only runs short callbacks.
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "echo-timer");
            t.setDaemon(true);
            return t;
          });

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Provider create(ProviderSettings settings) {
    if (!settings.options().isEmpty()) {
      throw new IllegalArgumentException(
          "provider '"
              + settings.name()
              + "': the echo provider takes no options, got "
              + settings.options().keySet());
    }
    String model =
        settings.defaultModel() == null ? EchoProvider.DEFAULT_MODEL : settings.defaultModel();
    return new EchoProvider(settings.name(), model, TIMER);
  }

  @Override
  public List<ProviderSettings> autoConfigure(Map<String, String> env) {
    return List.of(ProviderSettings.of(TYPE, TYPE, env));
  }
}
