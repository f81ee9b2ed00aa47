package dev.providergateway.client.cli;

import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.ModelInfo;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.RouteInfo;
import dev.providergateway.v1.RouteTarget;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code providers}: prints the registered providers, then the route aliases, as tables. */
@Command(
    name = "providers",
    description = "List providers (the default model is marked *) and route aliases.")
final class ProvidersCommand implements Callable<Integer> {
  private final GatewayCli root;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  ProvidersCommand(GatewayCli root) {
    this.root = root;
  }

  @Override
  public Integer call() {
    return root.withClient(
        client -> {
          print(root.out, client.listProviders());
          root.out.flush();
          return 0;
        });
  }

  static void print(PrintStream out, ListProvidersResponse response) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "ALIASES", "WIRE_TYPE", "CIRCUIT", "MODELS"});
    for (ProviderInfo provider : response.getProvidersList()) {
      String name = provider.getName();
      if (name.equals(response.getDefaultProvider())) {
        name += " (default)";
      }
      rows.add(
          new String[] {
            name,
            orDash(String.join(",", provider.getAliasesList())),
            orDash(provider.getWireType()),
            circuit(provider.getCircuitState()),
            orDash(models(provider))
          });
    }
    printTable(out, rows);
    if (response.getRoutesCount() > 0) {
      List<String[]> routes = new ArrayList<>();
      routes.add(new String[] {"ROUTE", "TARGETS"});
      for (RouteInfo route : response.getRoutesList()) {
        routes.add(new String[] {route.getName(), targets(route.getTargetsList())});
      }
      out.println();
      printTable(out, routes);
    }
  }

  private static String models(ProviderInfo provider) {
    List<String> ids = new ArrayList<>();
    boolean defaultListed = false;
    for (ModelInfo model : provider.getModelsList()) {
      boolean isDefault = model.getId().equals(provider.getDefaultModel());
      defaultListed |= isDefault;
      ids.add(isDefault ? model.getId() + "*" : model.getId());
    }
    if (!defaultListed && !provider.getDefaultModel().isEmpty()) {
      // The default model need not be among the known models; still show what a request gets.
      ids.add(0, provider.getDefaultModel() + "*");
    }
    return String.join(",", ids);
  }

  private static String targets(List<RouteTarget> targets) {
    return targets.stream()
        .map(t -> t.getModel().isEmpty() ? t.getProvider() : t.getProvider() + "/" + t.getModel())
        .collect(Collectors.joining(" -> "));
  }

  private static String circuit(CircuitState state) {
    return switch (state) {
      case CIRCUIT_STATE_CLOSED -> "closed";
      case CIRCUIT_STATE_OPEN -> "open";
      case CIRCUIT_STATE_HALF_OPEN -> "half-open";
      default -> "unknown";
    };
  }

  private static String orDash(String value) {
    return value.isEmpty() ? "-" : value;
  }

  /** Left-aligns every column to its widest cell; the last column is not padded. */
  private static void printTable(PrintStream out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(
            i == columns - 1
                ? row[i]
                : String.format(Locale.ROOT, "%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
