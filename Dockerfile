# The one image every Airflow service in docker-compose.yaml runs: Airflow 3.3.2 (Python 3.11)
# plus embedtune's pinned requirements and the project's code and sample PDFs. docker-compose
# also bind-mounts dags/, plugins/, include/ and resources/ over the copies, so edits show
# without a rebuild; the copies make the image usable on its own (e.g. on Kubernetes).
#
#   docker compose build
#   # smaller, CPU-only torch (the default PyPI torch wheel bundles CUDA for GPU workers):
#   docker compose build --build-arg PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu
FROM apache/airflow:3.3.2-python3.11

ARG PIP_EXTRA_INDEX_URL=""

USER airflow

COPY --chown=airflow:0 requirements.txt /opt/airflow/embedtune-requirements.txt
# Naming the base image's Airflow version keeps pip from up- or downgrading Airflow itself.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" \
        -r /opt/airflow/embedtune-requirements.txt

COPY --chown=airflow:0 include/ /opt/airflow/include/
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 plugins/ /opt/airflow/plugins/
COPY --chown=airflow:0 resources/ /opt/airflow/resources/

# The library is imported from include/ (mounted or copied), not installed, so a mounted
# checkout is always the code that runs.
ENV PYTHONPATH=/opt/airflow/include \
    EMBEDTUNE_ARTIFACTS=/opt/airflow/artifacts \
    EMBEDTUNE_PDF_DIR=/opt/airflow/resources \
    HF_HOME=/opt/airflow/hf-cache

# Group 0 writable, like the rest of /opt/airflow: services may run under any uid in group 0.
RUN mkdir -p /opt/airflow/artifacts /opt/airflow/hf-cache \
    && chmod -R g+rwX /opt/airflow/artifacts /opt/airflow/hf-cache
