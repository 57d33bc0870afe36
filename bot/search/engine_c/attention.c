        /* scaled dot-product attention, restricted to each text's own tokens.
         * tthc-bot: the keys are transposed first, so that a query's scores vectorise over the keys instead of
         * summing 32 products per key */
#pragma omp parallel for schedule(static)
        for (int i = 0; i < H; i++)
            for (int t = 0; t < T; t++) kT[(size_t)i * T + t] = k[(size_t)t * H + i];
#pragma omp parallel
        {
            float *prob = (float *)malloc(sizeof(float) * (size_t)m->MAXP);
            float *acc = (float *)malloc(sizeof(float) * (size_t)hd);
#pragma omp for collapse(2) schedule(static)
            for (int t = 0; t < T; t++)
                for (int h = 0; h < NH; h++) {
                    int s0 = sstart[t], n = send[t] - sstart[t];
                    const float *qh = q + (size_t)t * H + h * hd;
                    for (int s = 0; s < n; s++) prob[s] = 0.f;
                    for (int e = 0; e < hd; e++) {
                        const float qe = qh[e] * scale;
                        const float *RESTRICT kr = kT + (size_t)(h * hd + e) * T + s0;
                        for (int s = 0; s < n; s++) prob[s] += qe * kr[s];
                    }
                    float mx = -1e30f;
                    for (int s = 0; s < n; s++) if (prob[s] > mx) mx = prob[s];
                    float sum = 0.f;
                    for (int s = 0; s < n; s++) { float e = expf(prob[s] - mx); prob[s] = e; sum += e; }
                    float inv = 1.f / sum;
                    for (int e = 0; e < hd; e++) acc[e] = 0.f;
                    for (int s = 0; s < n; s++) {
                        float p = prob[s] * inv;
                        const float *RESTRICT vh = v + (size_t)(s0 + s) * H + h * hd;
                        for (int e = 0; e < hd; e++) acc[e] += p * vh[e];
                    }
                    float *ch = ctx + (size_t)t * H + h * hd;
                    for (int e = 0; e < hd; e++) ch[e] = acc[e];
                }
            free(prob); free(acc);
        }
