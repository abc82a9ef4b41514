# Inlet in a container: the single binary on a minimal glibc base, as a non-root user, with the
# data directory on a volume.
#   docker build -t inlet .
#   docker run -d --name inlet -p 4280:4280 -v inlet-data:/data \
#     -e INLET_BASE_URL=http://nas.local:4280 inlet
#   docker logs inlet        # the one-time setup link is printed here on first start

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx bun run build && mkdir -p /data

# glibc and libstdc++ (the compiled Bun binary needs both), no shell, user "nonroot" (65532).
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/inlet /usr/local/bin/inlet
COPY --from=build --chown=65532:65532 /data /data
ENV INLET_DATA_DIR=/data \
    INLET_HOST=0.0.0.0 \
    INLET_PORT=4280
VOLUME ["/data"]
EXPOSE 4280
USER nonroot
ENTRYPOINT ["/usr/local/bin/inlet"]
CMD ["serve"]
