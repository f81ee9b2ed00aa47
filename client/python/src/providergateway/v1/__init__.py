"""Generated protobuf and gRPC stubs of the ``providergateway.v1`` contract.

Written by ``scripts/generate-stubs.sh``; never edit the ``*_pb2*`` files by hand.
"""
