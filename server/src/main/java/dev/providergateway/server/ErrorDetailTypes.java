package dev.providergateway.server;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.rpc.ErrorDetailsProto;
import com.google.rpc.StatusProto;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes server reflection serve the {@code google.rpc} types the gateway puts into error details
 * ({@code Status}, {@code ErrorInfo}, {@code RetryInfo}, {@code BadRequest}, ...).
 *
 * <p>Details travel as {@code google.protobuf.Any}, so no service's proto file imports them and
 * gRPC's reflection index, which holds only the files of the registered services and their imports,
 * cannot resolve them: grpcurl then prints the details as undecodable. The index has no other input
 * than the services' schema descriptors, so {@link #addTo} re-describes one service (the health
 * service, whose file is gRPC's own) with a copy of its file that also imports {@code
 * google/rpc/status.proto} and {@code google/rpc/error_details.proto}. The service's name, methods
 * and handlers are unchanged; only what reflection reports about its file grows.
 */
final class ErrorDetailTypes {
  private ErrorDetailTypes() {}

  /** {@code service} with a schema whose file also imports the {@code google.rpc} detail types. */
  static ServerServiceDefinition addTo(ServerServiceDefinition service) {
    ServiceDescriptor descriptor = service.getServiceDescriptor();
    if (!(descriptor.getSchemaDescriptor() instanceof ProtoFileDescriptorSupplier supplier)) {
      return service;
    }
    FileDescriptor file = withDetailImports(supplier.getFileDescriptor());
    ServiceDescriptor.Builder rebuilt =
        ServiceDescriptor.newBuilder(descriptor.getName())
            .setSchemaDescriptor((ProtoFileDescriptorSupplier) () -> file);
    descriptor.getMethods().forEach(rebuilt::addMethod);
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(rebuilt.build());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      definition.addMethod(method);
    }
    return definition.build();
  }

  static FileDescriptor withDetailImports(FileDescriptor file) {
    List<FileDescriptor> imports = new ArrayList<>(file.getDependencies());
    FileDescriptorProto.Builder proto = file.toProto().toBuilder();
    for (FileDescriptor extra :
        List.of(StatusProto.getDescriptor(), ErrorDetailsProto.getDescriptor())) {
      if (!proto.getDependencyList().contains(extra.getName())) {
        proto.addDependency(extra.getName());
        imports.add(extra);
      }
    }
    try {
      return FileDescriptor.buildFrom(proto.build(), imports.toArray(FileDescriptor[]::new));
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException("cannot extend " + file.getName() + " with error types", e);
    }
  }
}
