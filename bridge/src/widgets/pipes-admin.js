export { PipesAdmin as default } from "@workos-inc/widgets/pipes-admin";
