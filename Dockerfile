# syntax=docker/dockerfile:1
# timescaledb-backfill in a container:
#   docker build -t timescaledb-backfill .
#   docker run --rm timescaledb-backfill --version
#   docker run --rm -it timescaledb-backfill copy --source "$SOURCE" --target "$TARGET" -p 8
# The entry point is bin/timescaledb-backfill, so the JVM gets the same options as outside a
# container (-Xmx192m -XX:+UseSerialGC, or -e JAVA_OPTS=...). It execs java as PID 1, so signals
# reach the tool: Ctrl-C under `docker run -it` as on a terminal; `docker stop` sends SIGTERM (the
# chunks in progress finish) and SIGKILL after its timeout (they roll back and stay pending), so
# give copy and verify a long one (`docker stop -t 600`). ~/.pgpass is /home/backfill/.pgpass
# (or PGPASSFILE).

# Build stage: the same Maven build as outside (`mvn -B -ntp package -DskipTests`), with the local
# repository in a BuildKit cache so rebuilds after a source change do not download it again.
FROM maven:3.9-eclipse-temurin-17 AS build
# The context has no .git: --version shows this commit instead of "unknown" when it is given,
#   docker build --build-arg BACKFILL_GIT_COMMIT="$(git rev-parse --short=12 HEAD)" -t timescaledb-backfill .
ARG BACKFILL_GIT_COMMIT=unknown
WORKDIR /build
COPY pom.xml ./
COPY .mvn ./.mvn
COPY src ./src
RUN --mount=type=cache,target=/root/.m2/repository \
    mvn -B -ntp package -DskipTests

# Runtime stage: a JRE only, and an unprivileged user.
FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="timescaledb-backfill" \
      org.opencontainers.image.description="Copies TimescaleDB hypertable chunks between databases" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --gid 10001 backfill \
    && useradd --no-log-init --uid 10001 --gid backfill --home-dir /home/backfill --create-home \
       --shell /usr/sbin/nologin backfill
COPY LICENSE /opt/timescaledb-backfill/LICENSE
COPY bin/timescaledb-backfill bin/timescaledb-backfill.classlist /opt/timescaledb-backfill/bin/
COPY --from=build /build/target/timescaledb-backfill.jar \
     /opt/timescaledb-backfill/lib/timescaledb-backfill.jar
ENV BACKFILL_JAR=/opt/timescaledb-backfill/lib/timescaledb-backfill.jar \
    BACKFILL_CDS_DIR=/opt/timescaledb-backfill/cds \
    PATH=/opt/timescaledb-backfill/bin:$PATH
# The class-data sharing archive (see bin/timescaledb-backfill), built into the image: every
# `docker run` starts from a fresh container, where a background build would never be reused.
RUN BACKFILL_CDS=build timescaledb-backfill --version
# Numeric, so that runtimes which refuse to run images as root (runAsNonRoot) can check it.
USER 10001:10001
WORKDIR /home/backfill
ENTRYPOINT ["/opt/timescaledb-backfill/bin/timescaledb-backfill"]
CMD ["--help"]
